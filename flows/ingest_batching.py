"""Ingest batching: every pending inbox payload into history, exactly once; alerts; pruning."""

from datetime import UTC, datetime

from prefect import flow

from graphs.ingest.graph import build_graph
from resync.db.engine import get_engine
from resync.settings import get_settings
from tasks.alerts import publish_ingest_summary

COUNTS = ("claimed", "rejected", "loaded", "duplicates", "resolved", "open", "notified", "pruned")


def _run_name() -> str:
    return f"ingest-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="ingest-batching", flow_run_name=_run_name)
def ingest_batching(
    batch_size: int | None = None, max_batches: int | None = None
) -> dict[str, int]:
    """Move pending inbox rows to history in batches, evaluate alerts, notify, summarise."""
    settings = get_settings()
    batch_size = batch_size or settings.ingest_batch_size
    max_batches = max_batches or settings.ingest_max_batches_per_run
    postgresql = get_engine().dialect.name == "postgresql"
    graph = build_graph().compile()
    state = graph.invoke(
        {
            "batch_size": batch_size,
            "max_batches": max_batches,
            # SQLite has one writer at a time: side-by-side loads would only wait for each other.
            "lanes": settings.ingest_parallel_batches if postgresql else 1,
        },
        # At most three steps per batch, plus the alert steps.
        config={"recursion_limit": 3 * max_batches + 10},
    )
    summary = {name: state.get(name, 0) for name in COUNTS}
    summary["batches"] = len(state.get("batch_ids", []))
    summary["opened"] = len(state.get("opened_alert_ids", []))
    publish_ingest_summary(summary)
    return summary


if __name__ == "__main__":
    ingest_batching()
