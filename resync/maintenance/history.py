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
from resync.ingest.window import count_window, read_sample_window
from resync.jobs.store import JOB_RUN_SCHEMA

JOBS_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "job_stream": pl.String,
    "job_name": pl.String,
    **JOB_RUN_SCHEMA,
}


def load_metrics(connection: Connection, start: datetime, end: datetime) -> pl.DataFrame:
    """Every FTA sample in [start, end) (hourly means where history keeps only summaries)."""
    return read_sample_window(connection, start, end)


def load_jobs(connection: Connection, start: datetime, end: datetime) -> pl.DataFrame:
    """Every job run started in [start, end] (without joblogs)."""
    columns = [getattr(JobExecution, name) for name in JOBS_SCHEMA]
    rows = connection.execute(
        select(*columns).where(JobExecution.started_at >= start, JobExecution.started_at <= end)
    ).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=JOBS_SCHEMA, orient="row")


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
