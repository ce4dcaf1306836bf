"""The capacity-forecast graph: the seed's six steps in order."""

from langgraph.graph import StateGraph

from graphs.capacity.nodes import (
    analyze_saturation,
    analyze_trends,
    fetch_metrics,
    forecast,
    generate_report,
    recommend,
)
from graphs.capacity.state import CapacityState
from graphs.sequence import sequential_graph

STEPS = (fetch_metrics, analyze_trends, forecast, analyze_saturation, recommend, generate_report)


def build_graph() -> StateGraph:
    """The uncompiled graph; the caller compiles it with its checkpointer."""
    return sequential_graph(CapacityState, STEPS)
