"""Storing job runs in `job_execution_history`: insert once per run id, never update."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from resync.database import conflict_insert
from resync.job_schemas import JobRun
from resync.joblog.redaction import redact_joblog
from resync.models import JobExecution, utcnow


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
