"""Reads for the capacity forecast: hourly metrics and job starts aggregated in the database.

Aggregating to hours in SQL sends a thirtieth of the 5-minute rows to Python: CPU and memory as
the hour's peak, disk and link latency as its mean (the aggregations the forecaster resamples
with). PostgreSQL results come back through COPY, much faster than row tuples.
"""

import io
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, func, select

from resync.models import JobExecution, WorkstationMetrics

HOURLY_SCHEMA = {
    "workstation": pl.String,
    "sample_time": pl.Datetime("us", "UTC"),
    "cpu": pl.Float64,
    "memory": pl.Float64,
    "disk": pl.Float64,
    "latency": pl.Float64,
}
JOB_STARTS_SCHEMA = {"workstation": pl.String, "hour": pl.Datetime("us", "UTC"), "jobs": pl.Int64}


def _hour(connection: Connection, column: Any) -> ColumnElement[Any]:
    if connection.dialect.name == "postgresql":
        return func.date_trunc("hour", column, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00", column)


def read_frame(connection: Connection, query: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """The query's rows as a frame with `schema`; datetime columns are read as UTC."""
    times = [name for name, dtype in schema.items() if isinstance(dtype, pl.Datetime)]
    text_schema = {**schema, **{name: pl.String for name in times}}
    if connection.dialect.name == "postgresql":
        sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy,
        ):
            for chunk in copy:
                buffer.write(chunk)
        if buffer.tell() == 0:
            return pl.DataFrame(schema=schema)
        frame = pl.read_csv(
            buffer.getvalue(),
            has_header=False,
            new_columns=list(schema),
            schema_overrides=text_schema,
        )
    else:
        rows = [tuple(map(_as_text, row)) for row in connection.execute(query)]
        frame = pl.DataFrame(rows, schema=text_schema, orient="row")
    return frame.with_columns(
        pl.col(name).str.to_datetime(time_zone="UTC", time_unit="us") for name in times
    )


def _as_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


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
