"""The decision-support graph: four steps from a batch of failed runs to their root-cause cards."""

from langgraph.graph import StateGraph

from graphs.decision_support.nodes import (
    classify_failures,
    fetch_contexts,
    find_similar_cases,
    recommend_resolutions,
)
from graphs.decision_support.state import DecisionSupportState
from graphs.sequence import sequential_graph

STEPS = (fetch_contexts, classify_failures, find_similar_cases, recommend_resolutions)
NODES = tuple(step.__name__ for step in STEPS)


def build_graph() -> StateGraph:
    """The uncompiled graph; the flow compiles it (no interrupt, so no checkpointer needed)."""
    return sequential_graph(DecisionSupportState, STEPS)
