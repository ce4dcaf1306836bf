"""Decision support: a root-cause card for each failed job run, stored and served by the API,
and one artifact per flow run listing them.

Started by the job-history sync for its newly failed runs, or on demand: with `run_ids`, those
runs (re-analysed if they already have a card); without, every failed run not yet analysed.
The runs go through the graph in batches of RESYNC_FAILURE_BATCH_RUNS, each step one task run
per batch, so a backlog of hundreds of failures costs Prefect a few task runs, not thousands.
"""

from datetime import UTC, datetime
from typing import Any

from prefect import flow

from graphs.decision_support.graph import build_graph
from resync.settings import get_settings
from tasks.decision_support import select_failed_runs
from tasks.failure_cards import publish_failure_cards


def _run_name() -> str:
    return f"decision-support-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="decision-support", flow_run_name=_run_name)
def decision_support(run_ids: list[str] | None = None) -> dict[str, Any]:
    """Classify the failed runs batch by batch, find similar past failures, store every card and
    publish them as one artifact."""
    graph = build_graph().compile()
    selected = select_failed_runs(run_ids)
    size = get_settings().failure_batch_runs
    cards: list[dict[str, Any]] = []
    for start in range(0, len(selected), size):
        cards += graph.invoke({"run_ids": selected[start : start + size]})["cards"]
    if cards:
        publish_failure_cards(cards)
    return {
        "analysed": len(cards),
        "classes": {card["run_id"]: card["failure_class"] for card in cards},
    }


if __name__ == "__main__":
    decision_support()
