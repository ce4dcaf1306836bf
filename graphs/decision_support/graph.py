"""The decision-support graph: four steps from a failed run to its root-cause card."""

from langgraph.graph import StateGraph

from graphs.decision_support.nodes import (
    classify_failure,
    fetch_context,
    find_similar_cases,
    recommend_resolution,
)
from graphs.decision_support.state import DecisionSupportState
from graphs.sequence import sequential_graph

STEPS = (fetch_context, classify_failure, find_similar_cases, recommend_resolution)
NODES = tuple(step.__name__ for step in STEPS)


def build_graph() -> StateGraph:
    """The uncompiled graph; the flow compiles it (no interrupt, so no checkpointer needed)."""
    return sequential_graph(DecisionSupportState, STEPS)
