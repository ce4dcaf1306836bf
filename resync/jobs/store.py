"""Job runs in `job_execution_history`: inserted once per run id, never updated, and read back."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.frames import UTC_TIME
from resync.db.models import JobExecution, utcnow
from resync.joblog.redaction import redact_joblog
from resync.jobs.schemas import JobRun

# Run ids per IN (...) list: well under the bound-parameter limits of SQLite and PostgreSQL.
LOOKUP_CHUNK = 500
# A list of runs leaves the joblogs out: thousands of them are hundreds of MiB.
LISTED_COLUMNS = tuple(
    getattr(JobExecution, name)
    for name in (
        "workstation",
        "job_stream",
        "job_name",
        "run_id",
        "status",
        "return_code",
        "started_at",
        "ended_at",
        "duration",
        "received_at",
    )
)

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


def stored_run_ids(session: Session, run_ids: list[str]) -> set[str]:
    """The run ids among `run_ids` already stored."""
    stored: set[str] = set()
    for start in range(0, len(run_ids), LOOKUP_CHUNK):
        chunk = run_ids[start : start + LOOKUP_CHUNK]
        stored.update(
            session.scalars(select(JobExecution.run_id).where(JobExecution.run_id.in_(chunk)))
        )
    return stored


def latest_job_end(session: Session) -> datetime | None:
    """The latest end time stored, or None when no run is stored yet."""
    return session.scalar(select(func.max(JobExecution.ended_at)))


def get_job_run(session: Session, run_id: str) -> JobExecution:
    """The stored run `run_id` (NoResultFound when there is none)."""
    return session.scalars(select(JobExecution).where(JobExecution.run_id == run_id)).one()


def job_run_status(session: Session, run_id: str) -> str | None:
    """The status of the stored run `run_id`, or None when there is no such run."""
    return session.scalar(select(JobExecution.status).where(JobExecution.run_id == run_id))


def read_job_runs(
    session: Session,
    workstation: str | None,
    status: str | None,
    since: datetime | None,
    limit: int,
) -> tuple[list[Any], int]:
    """Up to `limit` runs, newest start first, of one FTA, in one status, started since a time
    (each filter when given), without their joblogs but whether they have one, and how many
    match in all."""
    conditions = []
    if workstation is not None:
        conditions.append(JobExecution.workstation == workstation)
    if status is not None:
        conditions.append(JobExecution.status == status)
    if since is not None:
        conditions.append(JobExecution.started_at >= since)
    count = session.scalar(select(func.count()).select_from(JobExecution).where(*conditions))
    rows = session.execute(
        select(*LISTED_COLUMNS, JobExecution.joblog.is_not(None).label("has_joblog"))
        .where(*conditions)
        .order_by(JobExecution.started_at.desc(), JobExecution.id.desc())
        .limit(limit)
    )
    return list(rows), count or 0


def find_joblog(session: Session, run_id: str) -> tuple[bool, str | None]:
    """(whether the run is stored, its joblog)."""
    row = session.execute(select(JobExecution.joblog).where(JobExecution.run_id == run_id)).first()
    return (False, None) if row is None else (True, row.joblog)
