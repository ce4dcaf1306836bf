"""Nodes of the ingest-batching graph; each calls one Prefect task so it shows as a task run."""

from typing import Any, Literal

from graphs.ingest.state import IngestState
from tasks.alerts import evaluate_alerts as evaluate_alert_rules
from tasks.alerts import notify_alerts
from tasks.ingest import (
    claim_inbox_batch,
    load_history_batch,
    prune_inbox_batches,
    validate_inbox_batch,
)


def claim_batch(state: IngestState) -> dict[str, Any]:
    claimed = claim_inbox_batch(state["batch_size"])
    if claimed is None:
        return {"current_batch": None}
    return {
        "current_batch": claimed,
        "batch_ids": [claimed["batch_id"]],
        "claimed": claimed["claimed"],
    }


def validate_batch(state: IngestState) -> dict[str, Any]:
    checked = validate_inbox_batch(_current_batch(state))
    return {"rejected": checked["rejected"]}


def load_history(state: IngestState) -> dict[str, Any]:
    return load_history_batch(_current_batch(state))


def evaluate_alerts(state: IngestState) -> dict[str, Any]:
    return {**evaluate_alert_rules(), "current_batch": None}


def notify(state: IngestState) -> dict[str, Any]:
    return {"notified": notify_alerts(state.get("opened_alert_ids", []))}


def prune_inbox(state: IngestState) -> dict[str, Any]:
    return {"pruned": prune_inbox_batches()}


def route_after_claim(state: IngestState) -> Literal["validate_batch", "evaluate_alerts"]:
    return "evaluate_alerts" if state.get("current_batch") is None else "validate_batch"


def route_after_load(state: IngestState) -> Literal["claim_batch", "evaluate_alerts"]:
    if len(state.get("batch_ids", [])) < state["max_batches"]:
        return "claim_batch"
    return "evaluate_alerts"


def _current_batch(state: IngestState) -> dict[str, int]:
    batch = state.get("current_batch")
    if batch is None:
        raise ValueError("no batch is claimed in this state; claim_batch must run first")
    return batch
