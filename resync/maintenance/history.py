"""Reading what predictive maintenance analyses: a window of samples and job runs as polars frames.

Frames carry the `workstation_metrics_history` and `job_execution_history` columns the analytics
of `resync.maintenance` expect (`message_files` as JSON text); host facts are each FTA's latest
`host` and `tws` objects merged into one.
"""

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, select

from resync.db.models import JobExecution, Workstation
from resync.ingest.window import count_window, read_sample_window, workstations_in_window
from resync.jobs.store import JOB_RUN_SCHEMA

JOBS_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "job_stream": pl.String,
    "job_name": pl.String,
    **JOB_RUN_SCHEMA,
}


def load_metrics(
    connection: Connection, start: datetime, end: datetime, workstations: list[str] | None = None
) -> pl.DataFrame:
    """The samples of `workstations` (None: every FTA) in [start, end) (hourly means where
    history keeps only summaries)."""
    return read_sample_window(connection, start, end, workstations)


def load_jobs(
    connection: Connection, start: datetime, end: datetime, workstations: list[str] | None = None
) -> pl.DataFrame:
    """The job runs of `workstations` (None: every FTA) started in [start, end] (without
    joblogs)."""
    columns = [getattr(JobExecution, name) for name in JOBS_SCHEMA]
    runs = select(*columns).where(JobExecution.started_at >= start, JobExecution.started_at <= end)
    if workstations is not None:
        runs = runs.where(JobExecution.workstation.in_(workstations))
    rows = connection.execute(runs).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=JOBS_SCHEMA, orient="row")


def analysed_workstations(connection: Connection, start: datetime, end: datetime) -> list[str]:
    """The FTAs `load_metrics` or `load_jobs` read something of in the window, sorted."""
    with_jobs = (
        select(JobExecution.workstation)
        .distinct()
        .where(JobExecution.started_at >= start, JobExecution.started_at <= end)
    )
    found = set(workstations_in_window(connection, start, end))
    return sorted(found | set(connection.execute(with_jobs).scalars()))


def count_history(connection: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """How many FTAs, samples (or summarised hours) and job runs the window holds."""
    history = count_window(connection, start, end)
    job_runs = connection.execute(
        select(func.count()).where(JobExecution.started_at >= start, JobExecution.started_at < end)
    ).scalar_one()
    return {
        "workstations": history["workstations"],
        "samples": history["rows"],
        "job_runs": job_runs,
    }


def load_host_facts(connection: Connection) -> dict[str, dict[str, Any]]:
    """Each FTA's latest host and TWS facts, merged: {workstation: {"disk_total_gb": …, …}}."""
    rows = connection.execute(select(Workstation.name, Workstation.host, Workstation.tws)).all()
    return {name: {**(host or {}), **(tws or {})} for name, host, tws in rows}
