"""The ingest-batching graph: claim → validate → load while rows are pending, alerts, pruning."""

from langgraph.graph import END, START, StateGraph

from graphs.ingest.nodes import (
    claim_batch,
    evaluate_alerts,
    load_history,
    notify,
    prune_inbox,
    route_after_claim,
    route_after_load,
    validate_batch,
)
from graphs.ingest.state import IngestState


def build_graph() -> StateGraph:
    """The uncompiled graph; the caller compiles it (with a checkpointer if it wants one)."""
    graph = StateGraph(IngestState)
    graph.add_node("claim_batch", claim_batch)
    graph.add_node("validate_batch", validate_batch)
    graph.add_node("load_history", load_history)
    graph.add_node("evaluate_alerts", evaluate_alerts)
    graph.add_node("notify", notify)
    graph.add_edge(START, "claim_batch")
    graph.add_conditional_edges("claim_batch", route_after_claim)
    graph.add_edge("validate_batch", "load_history")
    graph.add_conditional_edges("load_history", route_after_load)
    graph.add_edge("evaluate_alerts", "notify")
    graph.add_node("prune_inbox", prune_inbox)
    graph.add_edge("notify", "prune_inbox")
    graph.add_edge("prune_inbox", END)
    return graph
