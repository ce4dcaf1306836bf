"""History-retention tasks: month partitions ahead of the samples (PostgreSQL), the samples past
the raw-history window summarised per hour, expired summaries and partitions removed."""

import time
from datetime import datetime
from typing import Any

from prefect import get_run_logger

from resync.db.engine import get_engine
from resync.ingest.partitions import (
    TIME_COLUMNS,
    create_month_partition,
    drop_month_partitions,
    month_start,
    next_month,
)
from resync.ingest.retention import cutoff, delete_expired_summaries, summarise_before
from resync.settings import get_settings
from tasks.database import database_task


@database_task
def create_history_partitions(now: datetime) -> list[str]:
    """On PostgreSQL, each history table's month partitions from the oldest month still kept
    raw through next month; the ones made."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        return []
    first = month_start(cutoff(now, get_settings().raw_history_days))
    months = [first]
    while months[-1] < next_month(month_start(now)):
        months.append(next_month(months[-1]))
    made = []
    for table in TIME_COLUMNS:
        for month in months:
            with engine.begin() as connection:
                if create_month_partition(connection, table, month):
                    made.append(f"{table} {month:%Y-%m}")
    if made:
        get_run_logger().info("made the month partitions %s", ", ".join(made))
    return made


@database_task
def summarise_raw_history(now: datetime) -> dict[str, int]:
    """Summarise per FTA and hour every sample older than the raw-history window, a span of
    hours per transaction, oldest first; the samples summarised and the FTA-hours written."""
    before = cutoff(now, get_settings().raw_history_days)
    began = time.monotonic()
    totals = summarise_before(get_engine(), before)
    get_run_logger().info(
        "summarised %d samples older than %s into %d FTA-hours in %.1f s",
        totals["samples"],
        before.isoformat(),
        totals["hours"],
        time.monotonic() - began,
    )
    return totals


@database_task
def expire_history(now: datetime) -> dict[str, Any]:
    """Delete the summaries older than the retention period; on PostgreSQL first drop whole the
    month partitions past their cutoff (raw ones only once summarised, so empty)."""
    settings = get_settings()
    summaries_before = cutoff(now, settings.retention_days)
    engine, dropped = get_engine(), []
    if engine.dialect.name == "postgresql":
        raw_before = cutoff(now, settings.raw_history_days)
        with engine.begin() as connection:
            dropped += drop_month_partitions(
                connection, "workstation_metrics_history", raw_before, only_empty=True
            )
        with engine.begin() as connection:
            dropped += drop_month_partitions(
                connection, "workstation_metrics_hourly", summaries_before, only_empty=False
            )
    with engine.begin() as connection:
        deleted = delete_expired_summaries(connection, summaries_before)
    get_run_logger().info(
        "dropped %d month partitions (%s); deleted %d hourly summaries older than %s",
        len(dropped),
        ", ".join(dropped) or "none",
        deleted,
        summaries_before.isoformat(),
    )
    return {"partitions_dropped": dropped, "summaries_deleted": deleted}
