"""Reading the context of failed job runs and storing their root-cause cards and resolutions.

The context of a run is its row of `job_execution_history`, the same job's recent runs, the
FTA's samples and the alerts open within `failure_context_hours` of the failure. A card is
stored once per run (re-analysing replaces it); resolutions are appended, the latest counts.
"""

from datetime import datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, or_, select
from sqlalchemy.orm import Session

from resync.db.frames import UTC_TIME
from resync.db.models import (
    Alert,
    FailureAnalysis,
    FailureResolution,
    JobExecution,
    WorkstationMetrics,
)
from resync.joblog.context import READINGS
from resync.joblog.schemas import PastFailure
from resync.jobs.schemas import FAILED_STATUSES
from resync.jobs.store import JOB_RUN_SCHEMA
from resync.settings import Settings

METRICS_SCHEMA: dict[str, Any] = {
    "sample_time": UTC_TIME,
    **{name: pl.Float64 for name in READINGS},
}


def failed_runs_to_analyse(session: Session, run_ids: list[str] | None, limit: int) -> list[str]:
    """The failed runs among `run_ids` (in order), or the oldest failed runs without a card."""
    failed = JobExecution.status.in_(FAILED_STATUSES)
    if run_ids is not None:
        found = set(
            session.scalars(
                select(JobExecution.run_id).where(JobExecution.run_id.in_(run_ids), failed)
            )
        )
        return [run_id for run_id in dict.fromkeys(run_ids) if run_id in found]
    analysed = select(FailureAnalysis.run_id).where(FailureAnalysis.run_id == JobExecution.run_id)
    return list(
        session.scalars(
            select(JobExecution.run_id)
            .where(failed, ~analysed.exists())
            .order_by(JobExecution.started_at, JobExecution.id)
            .limit(limit)
        )
    )


def failure_time(run: JobExecution) -> datetime:
    return run.ended_at or run.started_at


def load_failure_context(
    connection: Connection, run: JobExecution, settings: Settings
) -> tuple[pl.DataFrame, pl.DataFrame, list[dict[str, Any]]]:
    """The job's recent runs, the FTA's samples and the alerts around the failure."""
    runs = connection.execute(
        select(*(getattr(JobExecution, name) for name in JOB_RUN_SCHEMA))
        .where(
            JobExecution.workstation == run.workstation,
            JobExecution.job_stream == run.job_stream,
            JobExecution.job_name == run.job_name,
            JobExecution.started_at <= run.started_at,
        )
        .order_by(JobExecution.started_at.desc())
        .limit(settings.failure_history_runs + 1)
    ).all()
    at = failure_time(run)
    margin = timedelta(hours=settings.failure_context_hours)
    samples = connection.execute(
        select(WorkstationMetrics.sample_time, *(getattr(WorkstationMetrics, n) for n in READINGS))
        .where(
            WorkstationMetrics.workstation == run.workstation,
            WorkstationMetrics.sample_time >= at - margin,
            WorkstationMetrics.sample_time <= at + margin,
        )
        .order_by(WorkstationMetrics.sample_time)
    ).all()
    alerts = connection.execute(
        select(Alert.rule, Alert.severity, Alert.message, Alert.opened_at, Alert.resolved_at)
        .where(
            Alert.workstation == run.workstation,
            Alert.opened_at <= at + margin,
            or_(Alert.resolved_at.is_(None), Alert.resolved_at >= at - margin),
        )
        .order_by(Alert.opened_at)
    ).all()
    return (
        pl.DataFrame([tuple(row) for row in runs], schema=JOB_RUN_SCHEMA, orient="row"),
        pl.DataFrame([tuple(row) for row in samples], schema=METRICS_SCHEMA, orient="row"),
        [
            {
                "rule": alert.rule,
                "severity": alert.severity,
                "message": alert.message,
                "opened_at": alert.opened_at.isoformat(),
                "resolved_at": None if alert.resolved_at is None else alert.resolved_at.isoformat(),
            }
            for alert in alerts
        ],
    )


def latest_resolutions(session: Session, run_ids: list[str] | None = None) -> dict[str, Any]:
    """The latest resolution row of each run (of `run_ids` when given)."""
    latest = select(FailureResolution.run_id, func.max(FailureResolution.id).label("id")).group_by(
        FailureResolution.run_id
    )
    if run_ids is not None:
        latest = latest.where(FailureResolution.run_id.in_(run_ids))
    ids = select(latest.subquery().c.id)
    return {
        row.run_id: row
        for row in session.scalars(select(FailureResolution).where(FailureResolution.id.in_(ids)))
    }


def load_past_failures(session: Session, exclude_run_id: str, limit: int) -> list[PastFailure]:
    """The most recent analysed failures (not `exclude_run_id`) with their latest resolution."""
    cards = session.execute(
        select(
            FailureAnalysis.run_id,
            FailureAnalysis.workstation,
            FailureAnalysis.job_name,
            FailureAnalysis.failed_at,
            FailureAnalysis.failure_class,
            FailureAnalysis.joblog,
        )
        .where(FailureAnalysis.run_id != exclude_run_id)
        .order_by(FailureAnalysis.failed_at.desc())
        .limit(limit)
    ).all()
    resolutions = latest_resolutions(session, [card.run_id for card in cards])
    past = []
    for card in cards:
        resolution = resolutions.get(card.run_id)
        past.append(
            PastFailure(
                run_id=card.run_id,
                workstation=card.workstation,
                job_name=card.job_name,
                failed_at=card.failed_at,
                failure_class=(resolution and resolution.failure_class) or card.failure_class,
                text=card.joblog,
                resolution=resolution.resolution if resolution else None,
            )
        )
    return past


def find_failure_analysis(session: Session, run_id: str) -> FailureAnalysis | None:
    """The run's card, or None when it has none."""
    return session.scalar(select(FailureAnalysis).where(FailureAnalysis.run_id == run_id))


def store_failure_analysis(session: Session, card: dict[str, Any]) -> None:
    """Write the run's card, replacing an earlier one (its resolutions are kept)."""
    existing = find_failure_analysis(session, card["run_id"])
    if existing is None:
        session.add(FailureAnalysis(**card))
    else:
        for name, value in card.items():
            setattr(existing, name, value)
    session.flush()


def add_failure_resolution(
    session: Session,
    run_id: str,
    resolution: str,
    failure_class: str | None,
    resolved_by: str,
) -> FailureResolution:
    """Append what fixed the run (the latest resolution counts); flushed, so it is dated."""
    row = FailureResolution(
        run_id=run_id, resolution=resolution, failure_class=failure_class, resolved_by=resolved_by
    )
    session.add(row)
    session.flush()
    return row


def load_resolved_failures(session: Session) -> list[tuple[str, str, datetime]]:
    """(redacted joblog, class, recorded at) of each analysed run whose latest resolution
    names its real class, oldest first: what the text model learns from."""
    latest = latest_resolutions(session)
    with_class = {run_id: row for run_id, row in latest.items() if row.failure_class}
    if not with_class:
        return []
    joblogs = dict(
        session.execute(
            select(FailureAnalysis.run_id, FailureAnalysis.joblog).where(
                FailureAnalysis.run_id.in_(with_class)
            )
        ).all()
    )
    resolved = [
        (joblogs[run_id], row.failure_class, row.recorded_at)
        for run_id, row in with_class.items()
        if run_id in joblogs
    ]
    return sorted(resolved, key=lambda item: item[2])
