"""The auto-learning graph: collect outcomes, then each learner, then record and report."""

from langgraph.graph import StateGraph

from graphs.auto_learning.nodes import (
    apply_changes,
    calibrate_capacity,
    calibrate_confidence,
    collect_outcomes,
    learn_action_policy,
    learn_failure_classes,
    select_models,
    tune_alerts,
)
from graphs.auto_learning.state import LearningState
from graphs.sequence import sequential_graph

STEPS = (
    collect_outcomes,
    calibrate_confidence,
    tune_alerts,
    select_models,
    learn_action_policy,
    calibrate_capacity,
    learn_failure_classes,
    apply_changes,
)


def build_graph() -> StateGraph:
    """The uncompiled graph; the caller compiles it with its checkpointer."""
    return sequential_graph(LearningState, STEPS)
