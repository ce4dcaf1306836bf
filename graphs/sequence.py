"""One builder for the graphs whose steps run one after the other, each named for its function."""

from collections.abc import Callable, Sequence
from typing import Any

from langgraph.graph import END, START, StateGraph


def sequential_graph(state: type, steps: Sequence[Callable[..., Any]]) -> StateGraph:
    """The uncompiled graph START → steps in order → END."""
    graph = StateGraph(state)
    previous = START
    for step in steps:
        graph.add_node(step.__name__, step)
        graph.add_edge(previous, step.__name__)
        previous = step.__name__
    graph.add_edge(previous, END)
    return graph
