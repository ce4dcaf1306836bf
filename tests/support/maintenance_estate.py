"""A synthetic estate (`resync.demo.simulation`) written to the test database's history."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import JobExecution, Workstation, WorkstationMetrics
from resync.demo.simulation import Estate, generate_estate

# FTA001 needs a review (extend_filesystem is never auto-approvable), FTA002 is healthy.
REVIEWED_ESTATE = ("disk_filling", "healthy")
# Confident findings whose actions are all auto-approvable: no review.
AUTO_APPROVED_ESTATE = ("message_file_filling", "healthy")
# A problem of each kind but the link's (the disk filling slows a job of its FTA down) and a
# healthy FTA: enough FTAs to analyse a few at a time.
FAN_OUT_ESTATE = ("disk_filling", "job_failures", "healthy", "message_file_filling", "memory_leak")
GRID_SECONDS = 300


def load_estate(labels: tuple[str, ...], days: int = 21, seed: int = 7) -> Estate:
    """Generate an estate ending now and store its samples, job runs and FTAs."""
    estate = generate_estate(labels, days=days, now=datetime.now(UTC), seed=seed)
    store_estate(estate)
    return estate


def load_estate_on_grid(labels: tuple[str, ...]) -> datetime:
    """Store `load_estate`'s estate moved so that its samples and job starts lie on a 5-minute
    grid ending 10 s ago; the time until which maintenance runs read the same rows in each of
    their windows (every window edge is a whole number of 5-minute steps before the run's
    start, so none crosses a row until the grid's next step)."""
    now = datetime.now(UTC)
    estate = generate_estate(labels, days=21, now=now, seed=7)
    end = now - timedelta(seconds=10)
    shift = end - estate.now
    steps = (pl.col("started_at") + shift - end).dt.total_milliseconds() // (GRID_SECONDS * 1000)
    started = pl.lit(end) + pl.duration(seconds=steps * GRID_SECONDS)
    jobs = estate.jobs.with_columns(started_at=started).with_columns(
        ended_at=pl.col("started_at") + pl.duration(milliseconds=pl.col("duration") * 1000)
    )
    metrics = estate.metrics.with_columns(pl.col("sample_time") + shift)
    store_estate(replace(estate, metrics=metrics, jobs=jobs, now=end))
    return end + timedelta(seconds=GRID_SECONDS)


def store_estate(estate: Estate) -> None:
    """Store the estate's samples, job runs and FTAs."""
    metrics = estate.metrics.with_row_index("inbox_id", offset=1).to_dicts()
    jobs = estate.jobs.drop("received_at").to_dicts()
    with get_engine().begin() as connection:
        connection.execute(insert(WorkstationMetrics), metrics)
        connection.execute(insert(JobExecution), jobs)
        connection.execute(
            insert(Workstation),
            [
                {
                    "name": name,
                    "last_sample_at": estate.now,
                    "latency_method": "icmp",
                    "host": facts,
                }
                for name, facts in estate.host_facts.items()
            ],
        )
