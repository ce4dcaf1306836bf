"""Decision support: a root-cause card for each failed job run, as an artifact and in the API.

Started by the job-history sync for each newly failed run, or on demand: with `run_ids`, those
runs (re-analysed if they already have a card); without, every failed run not yet analysed.
"""

from datetime import UTC, datetime
from typing import Any

from prefect import flow

from graphs.decision_support.graph import build_graph
from tasks.decision_support import publish_failure_card, select_failed_runs


def _run_name() -> str:
    return f"decision-support-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="decision-support", flow_run_name=_run_name)
def decision_support(run_ids: list[str] | None = None) -> dict[str, Any]:
    """Classify each failed run, find similar past failures, store and publish its card."""
    graph = build_graph().compile()
    selected = select_failed_runs(run_ids)
    classes: dict[str, str] = {}
    for run_id in selected:
        card = graph.invoke({"run_id": run_id})["card"]
        publish_failure_card(card)
        classes[run_id] = card["failure_class"]
    return {"analysed": len(selected), "classes": classes}


if __name__ == "__main__":
    decision_support()
