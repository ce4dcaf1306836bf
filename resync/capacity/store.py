"""Reads for the capacity forecast: hourly metrics and job starts aggregated in the database.

Aggregating to hours in SQL sends a thirtieth of the 5-minute rows to Python: CPU and memory as
the hour's peak, disk and link latency as its mean (the aggregations the forecaster resamples
with). PostgreSQL results come back through COPY, much faster than row tuples.
"""

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, func, select

from resync.db.frames import UTC_TIME, read_frame
from resync.db.models import JobExecution, WorkstationMetrics

HOURLY_SCHEMA = {
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    "cpu": pl.Float64,
    "memory": pl.Float64,
    "disk": pl.Float64,
    "latency": pl.Float64,
}
JOB_STARTS_SCHEMA = {"workstation": pl.String, "hour": UTC_TIME, "jobs": pl.Int64}


def _hour(connection: Connection, column: Any) -> ColumnElement[Any]:
    if connection.dialect.name == "postgresql":
        return func.date_trunc("hour", column, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _in_window(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (column >= start) & (column < end)


def load_hourly_metrics(
    connection: Connection, start: datetime, end: datetime, workstations: list[str]
) -> pl.DataFrame:
    """Hourly CPU and memory peaks, disk and latency means of the FTAs in [start, end)."""
    history = WorkstationMetrics
    hour = _hour(connection, history.sample_time).label("hour")
    query = (
        select(
            history.workstation,
            hour,
            func.max(history.cpu_percent),
            func.max(history.memory_percent),
            func.avg(history.disk_percent),
            func.avg(history.latency_avg_ms),
        )
        .where(_in_window(history.sample_time, start, end))
        .where(history.workstation.in_(workstations))
        .group_by(history.workstation, hour)
        .order_by(history.workstation, hour)
    )
    return read_frame(connection, query, HOURLY_SCHEMA)


def load_hourly_job_starts(
    connection: Connection, start: datetime, end: datetime, workstations: list[str]
) -> pl.DataFrame:
    """Jobs started per FTA and hour in [start, end) (hours without a start are absent)."""
    hour = _hour(connection, JobExecution.started_at).label("hour")
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
    """The FTAs with samples in [start, end), optionally only among `names`, sorted."""
    query = select(WorkstationMetrics.workstation).distinct()
    query = query.where(_in_window(WorkstationMetrics.sample_time, start, end))
    if names:
        query = query.where(WorkstationMetrics.workstation.in_(names))
    return sorted(connection.execute(query).scalars())
