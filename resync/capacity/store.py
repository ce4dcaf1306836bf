"""Reads for the capacity forecast: hourly metrics and job starts aggregated in the database.

Metrics come from the history store by the hour (aggregated in SQL where the 5-minute samples
are kept, the hourly summaries before): CPU and memory as the hour's peak, disk and link latency
as its mean (the aggregations the forecaster resamples with). PostgreSQL results come back
through COPY, much faster than row tuples.
"""

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, func, select

from resync.db.frames import UTC_TIME, read_frame
from resync.db.models import JobExecution
from resync.ingest.window import hour_of, read_hourly_window, workstations_in_window

HOURLY_SCHEMA = {
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    "cpu": pl.Float64,
    "memory": pl.Float64,
    "disk": pl.Float64,
    "latency": pl.Float64,
}
JOB_STARTS_SCHEMA = {"workstation": pl.String, "hour": UTC_TIME, "jobs": pl.Int64}


def _in_window(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (column >= start) & (column < end)


def load_hourly_metrics(
    connection: Connection, start: datetime, end: datetime, workstations: list[str]
) -> pl.DataFrame:
    """Hourly CPU and memory peaks, disk and latency means of the FTAs in [start, end)."""
    hourly = read_hourly_window(
        connection,
        start,
        end,
        workstations,
        {
            "cpu": ("cpu_percent", "max"),
            "memory": ("memory_percent", "max"),
            "disk": ("disk_percent", "mean"),
            "latency": ("latency_avg_ms", "mean"),
        },
    )
    return hourly.rename({"hour": "sample_time"}).select(*HOURLY_SCHEMA)


def load_hourly_job_starts(
    connection: Connection, start: datetime, end: datetime, workstations: list[str]
) -> pl.DataFrame:
    """Jobs started per FTA and hour in [start, end) (hours without a start are absent)."""
    hour = hour_of(connection, JobExecution.started_at).label("hour")
    query = (
        select(JobExecution.workstation, hour, func.count())
        .where(_in_window(JobExecution.started_at, start, end))
        .where(JobExecution.workstation.in_(workstations))
        .group_by(JobExecution.workstation, hour)
        .order_by(JobExecution.workstation, hour)
    )
    return read_frame(connection, query, JOB_STARTS_SCHEMA)


def workstations_with_metrics(
    connection: Connection, start: datetime, end: datetime, names: list[str] | None
) -> list[str]:
    """The FTAs with history in [start, end), optionally only among `names`, sorted."""
    return workstations_in_window(connection, start, end, names)
