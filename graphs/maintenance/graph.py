"""The predictive-maintenance graph: eight steps, with a human review unless none is needed."""

from langgraph.graph import END, START, StateGraph

from graphs.maintenance.nodes import (
    analyze_degradation,
    check_effects,
    correlate,
    execute_actions,
    fetch_data,
    human_review,
    predict,
    recommend,
    route_after_recommend,
)
from graphs.maintenance.state import MaintenanceState


def build_graph() -> StateGraph:
    """The uncompiled graph; the flow compiles it with a checkpointer to survive crashes."""
    graph = StateGraph(MaintenanceState)
    graph.add_node("fetch_data", fetch_data)
    graph.add_node("analyze_degradation", analyze_degradation)
    graph.add_node("correlate", correlate)
    graph.add_node("predict", predict)
    graph.add_node("recommend", recommend)
    graph.add_node("human_review", human_review)
    graph.add_node("execute_actions", execute_actions)
    graph.add_node("check_effects", check_effects)
    graph.add_edge(START, "fetch_data")
    graph.add_edge("fetch_data", "analyze_degradation")
    graph.add_edge("analyze_degradation", "correlate")
    graph.add_edge("correlate", "predict")
    graph.add_edge("predict", "recommend")
    graph.add_conditional_edges("recommend", route_after_recommend)
    graph.add_edge("human_review", "execute_actions")
    graph.add_edge("execute_actions", "check_effects")
    graph.add_edge("check_effects", END)
    return graph
