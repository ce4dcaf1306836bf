"""The decision-support graph: four steps from a failed run to its root-cause card."""

from langgraph.graph import END, START, StateGraph

from graphs.decision_support.nodes import (
    classify_failure,
    fetch_context,
    find_similar_cases,
    recommend_resolution,
)
from graphs.decision_support.state import DecisionSupportState

NODES = ("fetch_context", "classify_failure", "find_similar_cases", "recommend_resolution")


def build_graph() -> StateGraph:
    """The uncompiled graph; the flow compiles it (no interrupt, so no checkpointer needed)."""
    graph = StateGraph(DecisionSupportState)
    graph.add_node("fetch_context", fetch_context)
    graph.add_node("classify_failure", classify_failure)
    graph.add_node("find_similar_cases", find_similar_cases)
    graph.add_node("recommend_resolution", recommend_resolution)
    graph.add_edge(START, "fetch_context")
    graph.add_edge("fetch_context", "classify_failure")
    graph.add_edge("classify_failure", "find_similar_cases")
    graph.add_edge("find_similar_cases", "recommend_resolution")
    graph.add_edge("recommend_resolution", END)
    return graph
