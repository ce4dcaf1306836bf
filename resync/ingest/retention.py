"""Keeping history lean: the 5-minute samples past the raw-history window become hourly
summaries, and summaries past the retention period are deleted.

A span of hours is summarised in one transaction that deletes its samples (DELETE … RETURNING:
exactly the rows it summarises, never one written meanwhile) and writes their summary, merged
with any summary those hours already had. A run that dies leaves each span either summarised or
still raw, so the next run neither loses a sample nor counts one twice.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Connection, Engine, delete, func, insert, select

from resync.db.frames import read_frame
from resync.db.models import WorkstationMetrics, WorkstationMetricsHourly
from resync.ingest.hourly import (
    HOURLY_SCHEMA,
    SAMPLE_COLUMNS_SCHEMA,
    merge_summaries,
    summarise_hours,
)

HOURLY = WorkstationMetricsHourly.__table__
# At most this many hours per transaction: about 720,000 samples of 10,000 FTAs, a frame of
# about 100 MB, so memory stays bounded whatever the estate's backlog.
SPAN = timedelta(hours=6)


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def cutoff(now: datetime, days: int) -> datetime:
    """The start of the hour `days` before `now`: what is older has passed its window."""
    return hour_floor(now - timedelta(days=days))


def oldest_sample_before(connection: Connection, before: datetime) -> datetime | None:
    """The time of the oldest sample older than `before`, if any."""
    raw = WorkstationMetrics
    return connection.scalar(select(func.min(raw.sample_time)).where(raw.sample_time < before))


def spans(oldest: datetime, before: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Whole hours from `oldest`'s to `before`, at most SPAN at a time, oldest first."""
    start = hour_floor(oldest)
    while start < before:
        yield start, min(start + SPAN, before)
        start += SPAN


def summarise_span(connection: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Replace the samples of [start, end) (whole hours) by their hourly summaries, in the
    caller's transaction: the samples deleted and the FTA-hours written."""
    raw = WorkstationMetrics
    taken = (
        delete(raw)
        .where(raw.sample_time >= start, raw.sample_time < end)
        .returning(*(getattr(raw, name) for name in SAMPLE_COLUMNS_SCHEMA))
    )
    samples = read_frame(connection, taken, SAMPLE_COLUMNS_SCHEMA)
    if samples.is_empty():
        return {"samples": 0, "hours": 0}
    summary = summarise_hours(samples)
    in_span = (HOURLY.c.hour >= start) & (HOURLY.c.hour < end)
    earlier = read_frame(connection, select(*HOURLY.c).where(in_span), HOURLY_SCHEMA)
    if not earlier.is_empty():
        summary = merge_summaries(pl.concat([summary, earlier]))
        connection.execute(delete(HOURLY).where(in_span))
    connection.execute(insert(HOURLY), summary.to_dicts())
    return {"samples": samples.height, "hours": summary.height}


def summarise_before(engine: Engine, before: datetime) -> dict[str, int]:
    """Summarise every sample older than `before`, a span per transaction, oldest first: the
    samples summarised, the FTA-hours written and the spans."""
    totals = {"samples": 0, "hours": 0, "spans": 0}
    # Found once: a span summarised is gone, so the next one starts where it ended.
    with engine.connect() as connection:
        oldest = oldest_sample_before(connection, before)
    for span in spans(oldest, before) if oldest else ():
        with engine.begin() as connection:
            done = summarise_span(connection, *span)
        totals = {
            "samples": totals["samples"] + done["samples"],
            "hours": totals["hours"] + done["hours"],
            "spans": totals["spans"] + 1,
        }
    return totals


def delete_expired_summaries(connection: Connection, before: datetime) -> int:
    """Delete the hourly summaries of hours before `before`; how many there were."""
    counted = connection.execution_options(preserve_rowcount=True)
    return counted.execute(delete(HOURLY).where(HOURLY.c.hour < before)).rowcount
