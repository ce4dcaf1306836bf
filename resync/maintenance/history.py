"""Reading what predictive maintenance analyses: a window of samples and job runs as polars frames.

Frames carry the `workstation_metrics_history` and `job_execution_history` columns the analytics
of `resync.maintenance` expect (`message_files` as JSON text); host facts are each FTA's latest
`host` and `tws` objects merged into one.
"""

import json
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, select

from resync.db.frames import UTC_TIME
from resync.db.models import JobExecution, Workstation, WorkstationMetrics
from resync.ingest.payload import METRIC_NAMES
from resync.jobs.store import JOB_RUN_SCHEMA

METRICS_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    **{name: pl.Float64 for name in METRIC_NAMES},
    "tcp_connectivity": pl.Int64,
    "process_count": pl.Int64,
    "stdlist_mb": pl.Float64,
    "message_files": pl.String,
}
JOBS_SCHEMA: dict[str, Any] = {
    "workstation": pl.String,
    "job_stream": pl.String,
    "job_name": pl.String,
    **JOB_RUN_SCHEMA,
}


def load_metrics(connection: Connection, start: datetime, end: datetime) -> pl.DataFrame:
    """Every FTA sample in [start, end]."""
    columns = [getattr(WorkstationMetrics, name) for name in METRICS_SCHEMA]
    rows = connection.execute(
        select(*columns).where(
            WorkstationMetrics.sample_time >= start, WorkstationMetrics.sample_time <= end
        )
    ).all()
    last = len(METRICS_SCHEMA) - 1
    records = [(*row[:last], None if row[last] is None else json.dumps(row[last])) for row in rows]
    return pl.DataFrame(records, schema=METRICS_SCHEMA, orient="row")


def load_jobs(connection: Connection, start: datetime, end: datetime) -> pl.DataFrame:
    """Every job run started in [start, end] (without joblogs)."""
    columns = [getattr(JobExecution, name) for name in JOBS_SCHEMA]
    rows = connection.execute(
        select(*columns).where(JobExecution.started_at >= start, JobExecution.started_at <= end)
    ).all()
    return pl.DataFrame([tuple(row) for row in rows], schema=JOBS_SCHEMA, orient="row")


def count_history(connection: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """How many FTAs, samples and job runs the window holds."""
    samples, workstations = connection.execute(
        select(func.count(), func.count(WorkstationMetrics.workstation.distinct())).where(
            WorkstationMetrics.sample_time >= start, WorkstationMetrics.sample_time <= end
        )
    ).one()
    job_runs = connection.execute(
        select(func.count()).where(JobExecution.started_at >= start, JobExecution.started_at <= end)
    ).scalar_one()
    return {"workstations": workstations, "samples": samples, "job_runs": job_runs}


def load_host_facts(connection: Connection) -> dict[str, dict[str, Any]]:
    """Each FTA's latest host and TWS facts, merged: {workstation: {"disk_total_gb": …, …}}."""
    rows = connection.execute(select(Workstation.name, Workstation.host, Workstation.tws)).all()
    return {name: {**(host or {}), **(tws or {})} for name, host, tws in rows}
