"""Reading a window of FTA history from whichever form holds it: the 5-minute samples where
history still keeps them (raw_history_days), their hourly summaries before.

Callers ask for a window and get a frame; where the boundary lies is this module's business. A
summarised hour is read when it overlaps the window. An FTA-hour held in both forms (samples
that reached history after their hour was summarised) is read as the merge of the two.
"""

from datetime import datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Text, cast, func, literal, select, union

from resync.db.frames import UTC_TIME, read_frame
from resync.db.models import WorkstationMetrics, WorkstationMetricsHourly
from resync.ingest.hourly import merge_summaries
from resync.ingest.payload import METRIC_NAMES

HOURLY = WorkstationMetricsHourly.__table__
HOUR = timedelta(hours=1)
RAW_STATISTICS = {"mean": func.avg, "max": func.max}
INTEGER_READINGS = ("tcp_connectivity", "process_count")
SAMPLES_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    **{name: pl.Float64 for name in METRIC_NAMES},
    **{name: pl.Int64 for name in INTEGER_READINGS},
    "stdlist_mb": pl.Float64,
    "message_files": pl.String,
}


def summaries_overlapping(start: datetime, end: datetime) -> ColumnElement[bool]:
    """The summarised hours that overlap [start, end)."""
    return (HOURLY.c.hour > start - HOUR) & (HOURLY.c.hour < end)


def hour_of(connection: Connection, column: Any) -> ColumnElement[Any]:
    """`column` truncated to its UTC hour, in SQL."""
    if connection.dialect.name == "postgresql":
        return func.date_trunc("hour", column, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00", column)


def read_hourly_window(
    connection: Connection,
    start: datetime,
    end: datetime,
    workstations: list[str],
    columns: dict[str, tuple[str, str]],
) -> pl.DataFrame:
    """Per FTA of `workstations` and hour in [start, end), sorted: `workstation`, `hour` and a
    column per entry of `columns`, {name: (metric, "mean" | "max")}."""
    raw = WorkstationMetrics
    hour = hour_of(connection, raw.sample_time).label("hour")
    from_samples = (
        select(
            raw.workstation,
            hour,
            func.count(),
            *(
                RAW_STATISTICS[statistic](getattr(raw, metric))
                for metric, statistic in columns.values()
            ),
        )
        .where(raw.sample_time >= start, raw.sample_time < end, raw.workstation.in_(workstations))
        .group_by(raw.workstation, hour)
    )
    from_summaries = select(
        HOURLY.c.workstation,
        HOURLY.c.hour,
        HOURLY.c.samples,
        *(HOURLY.c[f"{metric}_{statistic}"] for metric, statistic in columns.values()),
    ).where(summaries_overlapping(start, end), HOURLY.c.workstation.in_(workstations))
    schema = {
        "workstation": pl.String,
        "hour": UTC_TIME,
        "samples": pl.Int64,
        **{f"{metric}_{statistic}": pl.Float64 for metric, statistic in columns.values()},
    }
    frame = pl.concat(
        [
            read_frame(connection, from_samples, schema),
            read_frame(connection, from_summaries, schema),
        ]
    )
    held_twice = pl.struct("workstation", "hour").is_duplicated()
    frame = pl.concat([frame.filter(~held_twice), merge_summaries(frame.filter(held_twice))])
    names = {f"{metric}_{statistic}": name for name, (metric, statistic) in columns.items()}
    return frame.drop("samples").rename(names).sort("workstation", "hour")


def read_sample_window(
    connection: Connection, start: datetime, end: datetime, workstations: list[str] | None = None
) -> pl.DataFrame:
    """The samples in [start, end) of `workstations` (None: every FTA's), sorted
    (SAMPLES_SCHEMA, `message_files` as JSON text); an hour history keeps only summarised is one
    row at the hour with each reading's mean (counts rounded, no message files)."""
    raw = WorkstationMetrics
    samples = select(
        *(getattr(raw, name) for name in SAMPLES_SCHEMA if name != "message_files"),
        cast(raw.message_files, Text),
    ).where(raw.sample_time >= start, raw.sample_time < end)
    summaries = select(
        HOURLY.c.workstation,
        HOURLY.c.hour,
        *(
            func.round(HOURLY.c[f"{name}_mean"])
            if name in INTEGER_READINGS
            else HOURLY.c[f"{name}_mean"]
            for name in list(SAMPLES_SCHEMA)[2:-1]
        ),
        literal(None, Text),
    ).where(summaries_overlapping(start, end))
    if workstations is not None:
        samples = samples.where(raw.workstation.in_(workstations))
        summaries = summaries.where(HOURLY.c.workstation.in_(workstations))
    frame = pl.concat(
        [
            read_frame(connection, samples, SAMPLES_SCHEMA),
            read_frame(
                connection,
                summaries,
                {**SAMPLES_SCHEMA, **{n: pl.Float64 for n in INTEGER_READINGS}},
            ).cast(SAMPLES_SCHEMA),
        ]
    )
    return frame.sort("workstation", "sample_time")


def workstations_in_window(
    connection: Connection, start: datetime, end: datetime, names: list[str] | None = None
) -> list[str]:
    """The FTAs with history in [start, end), optionally only among `names`, sorted."""
    raw = WorkstationMetrics
    from_samples = select(raw.workstation).where(raw.sample_time >= start, raw.sample_time < end)
    from_summaries = select(HOURLY.c.workstation).where(summaries_overlapping(start, end))
    if names:
        from_samples = from_samples.where(raw.workstation.in_(names))
        from_summaries = from_summaries.where(HOURLY.c.workstation.in_(names))
    return sorted(connection.execute(union(from_samples, from_summaries)).scalars())


def count_window(connection: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """How many FTAs, and rows (samples plus summarised hours), history holds in [start, end)."""
    raw = WorkstationMetrics
    rows = sum(
        connection.execute(select(func.count()).where(condition)).scalar_one()
        for condition in (
            (raw.sample_time >= start) & (raw.sample_time < end),
            summaries_overlapping(start, end),
        )
    )
    return {"workstations": len(workstations_in_window(connection, start, end)), "rows": rows}
