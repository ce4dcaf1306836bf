"""The auto-learning graph: collect outcomes, then each learner, then record and report."""

from langgraph.graph import END, START, StateGraph

from graphs.auto_learning.nodes import (
    apply_changes,
    calibrate_confidence,
    collect_outcomes,
    select_models,
    tune_alerts,
)
from graphs.auto_learning.state import LearningState

STEPS = (collect_outcomes, calibrate_confidence, tune_alerts, select_models, apply_changes)


def build_graph() -> StateGraph:
    """The uncompiled graph; the caller compiles it with its checkpointer."""
    graph = StateGraph(LearningState)
    previous = START
    for step in STEPS:
        graph.add_node(step.__name__, step)
        graph.add_edge(previous, step.__name__)
        previous = step.__name__
    graph.add_edge(previous, END)
    return graph
