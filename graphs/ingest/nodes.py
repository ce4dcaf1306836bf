"""Nodes of the ingest-batching graph; each calls one Prefect task so it shows as a task run."""

from typing import Any, Literal

from graphs.ingest.state import IngestState
from tasks.alerts import check_inbox_drain, notify_alerts
from tasks.alerts import evaluate_alerts as evaluate_alert_rules
from tasks.ingest import (
    claim_inbox_batch,
    load_history_batch,
    prune_inbox_batches,
    validate_inbox_batch,
)


def claim_batch(state: IngestState) -> dict[str, Any]:
    """Claim up to `lanes` batches (fewer when the inbox runs dry or the run's limit is near)."""
    wanted = min(state["lanes"], state["max_batches"] - len(state.get("batch_ids", [])))
    claimed: list[dict[str, int]] = []
    while len(claimed) < wanted:
        batch = claim_inbox_batch(state["batch_size"])
        if batch is None:
            break
        claimed.append(batch)
    return {"current_batches": claimed, "batch_ids": [batch["batch_id"] for batch in claimed]}


def validate_batch(state: IngestState) -> dict[str, Any]:
    checked = validate_inbox_batch.map(_current_batches(state)).result()
    return {name: sum(result[name] for result in checked) for name in ("claimed", "rejected")}


def load_history(state: IngestState) -> dict[str, Any]:
    loaded = load_history_batch.map(_current_batches(state)).result()
    counts = {name: sum(result[name] for result in loaded) for name in ("loaded", "duplicates")}
    # Rows the load set aside count as rejected, like rows that failed validation.
    return {**counts, "rejected": sum(result["set_aside"] for result in loaded)}


def evaluate_alerts(state: IngestState) -> dict[str, Any]:
    """The FTAs' alert rules, then whether this run left the inbox draining."""
    return {
        **evaluate_alert_rules(),
        "inbox_not_draining": check_inbox_drain(),
        "current_batches": [],
    }


def notify(state: IngestState) -> dict[str, Any]:
    return {"notified": notify_alerts(state.get("opened_alert_ids", []))}


def prune_inbox(state: IngestState) -> dict[str, Any]:
    return {"pruned": prune_inbox_batches()}


def route_after_claim(state: IngestState) -> Literal["validate_batch", "evaluate_alerts"]:
    return "validate_batch" if state.get("current_batches") else "evaluate_alerts"


def route_after_load(state: IngestState) -> Literal["claim_batch", "evaluate_alerts"]:
    if len(state.get("batch_ids", [])) < state["max_batches"]:
        return "claim_batch"
    return "evaluate_alerts"


def _current_batches(state: IngestState) -> list[dict[str, int]]:
    batches = state.get("current_batches")
    if not batches:
        raise ValueError("no batch is claimed in this state; claim_batch must run first")
    return batches
