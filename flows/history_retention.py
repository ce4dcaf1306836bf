"""History retention: the 5-minute samples past RESYNC_RAW_HISTORY_DAYS summarised per FTA and
hour, summaries past RESYNC_RETENTION_DAYS removed, daily."""

from datetime import UTC, datetime
from typing import Any

from prefect import flow

from resync.settings import get_settings
from tasks.counts_artifact import publish_counts
from tasks.retention import (
    create_history_partitions,
    expire_history,
    summarise_raw_history,
)


def _run_name() -> str:
    return f"history-retention-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="history-retention", flow_run_name=_run_name)
def history_retention(now: datetime | None = None) -> dict[str, Any]:
    """Summarise the samples past the raw-history window, then remove expired history."""
    now = now or datetime.now(UTC)
    settings = get_settings()
    partitions = create_history_partitions(now)
    summarised = summarise_raw_history(now)
    expired = expire_history(now)
    summary = {
        "raw_history_days": settings.raw_history_days,
        "retention_days": settings.retention_days,
        "partitions_made": len(partitions),
        "samples_summarised": summarised["samples"],
        "hours_written": summarised["hours"],
        "partitions_dropped": len(expired["partitions_dropped"]),
        "summaries_deleted": expired["summaries_deleted"],
    }
    publish_counts(
        "history-retention",
        "History retention",
        "Samples summarised per hour, expired history removed",
        summary,
    )
    return summary


if __name__ == "__main__":
    history_retention()
