"""Storing job runs in `job_execution_history`: insert once per run id, never update."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.frames import UTC_TIME
from resync.db.models import JobExecution, utcnow
from resync.joblog.redaction import redact_joblog
from resync.jobs.schemas import JobRun

# A job run as analyses read it, in `job_execution_history`'s column names.
JOB_RUN_SCHEMA: dict[str, Any] = {
    "run_id": pl.String,
    "status": pl.String,
    "return_code": pl.Int64,
    "started_at": UTC_TIME,
    "ended_at": UTC_TIME,
    "duration": pl.Float64,
}


def job_run_values(run: JobRun, joblog_max_bytes: int, received_at: datetime) -> dict[str, Any]:
    """The row for `run`; its joblog with secrets masked, capped to `joblog_max_bytes`."""
    return {
        "workstation": run.workstation,
        "job_stream": run.job_stream,
        "job_name": run.job_name,
        "run_id": run.run_id,
        "status": run.status,
        "return_code": run.return_code,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "duration": run.duration,
        "joblog": None if run.joblog is None else redact_joblog(run.joblog, joblog_max_bytes),
        "received_at": received_at,
    }


def store_job_runs(session: Session, runs: Sequence[JobRun], joblog_max_bytes: int) -> list[bool]:
    """Insert the runs whose run id is new; returns, per run, whether it was a duplicate.

    A run id already stored, or repeated earlier in `runs`, is a duplicate and changes nothing.
    """
    received_at = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for run in runs:
        rows.setdefault(run.run_id, job_run_values(run, joblog_max_bytes, received_at))
    inserted: set[str] = set()
    if rows:
        statement = (
            conflict_insert(session.get_bind().dialect.name, JobExecution.__table__)
            .on_conflict_do_nothing(index_elements=["run_id"])
            .returning(JobExecution.__table__.c.run_id)
        )
        inserted = set(session.execute(statement, list(rows.values())).scalars())
    first_seen: set[str] = set()
    duplicates = []
    for run in runs:
        is_new = run.run_id in inserted and run.run_id not in first_seen
        first_seen.add(run.run_id)
        duplicates.append(not is_new)
    return duplicates
