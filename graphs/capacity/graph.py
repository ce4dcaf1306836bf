"""The capacity-forecast graph: the seed's six steps in order."""

from langgraph.graph import END, START, StateGraph

from graphs.capacity.nodes import (
    analyze_saturation,
    analyze_trends,
    fetch_metrics,
    forecast,
    generate_report,
    recommend,
)
from graphs.capacity.state import CapacityState

STEPS = (fetch_metrics, analyze_trends, forecast, analyze_saturation, recommend, generate_report)


def build_graph() -> StateGraph:
    """The uncompiled graph; the caller compiles it with its checkpointer."""
    graph = StateGraph(CapacityState)
    previous = START
    for step in STEPS:
        graph.add_node(step.__name__, step)
        graph.add_edge(previous, step.__name__)
        previous = step.__name__
    graph.add_edge(previous, END)
    return graph
