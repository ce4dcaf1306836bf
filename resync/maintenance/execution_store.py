"""Persistence of maintenance actions that run: the audit row, the job, its effect, the outcome.

The audit row is written before the job is submitted and is the action's only claim to run:
`start_execution` inserts it once per run and action and tells a later attempt whether it had
finished. The effect is read from the FTA's history (`effect_readings`) once a sample after the
job exists; a finding's outcome follows from its actions' (`settle_findings`).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.models import (
    JobExecution,
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    WorkstationMetrics,
    utcnow,
)
from resync.maintenance.effects import JOBS_STARTED, JOBS_WINDOW, sample_reading

FAILED = "action_failed"


@dataclass(frozen=True)
class StartedExecution:
    """An action's audit row: new, or left unfinished (or finished) by an earlier attempt."""

    id: int
    finished: bool
    job_id: str | None


def start_execution(
    session: Session,
    run_id: uuid.UUID,
    action: dict[str, Any],
    argv: list[str],
    *,
    dry_run: bool,
    review: MaintenanceReview,
    job_name: str | None,
) -> StartedExecution:
    """Audit an action about to run, once per run; an earlier attempt's row when there is one."""
    statement = (
        conflict_insert(session.get_bind().dialect.name, MaintenanceActionExecution)
        .values(
            run_id=run_id,
            action_id=action["action_id"],
            command=action["command"],
            argv=argv,
            dry_run=dry_run,
            approved_by=review.decided_by or review.source,
            approved_at=review.decided_at,
            started_at=utcnow(),
            job_name=job_name,
        )
        .on_conflict_do_nothing(index_elements=["run_id", "action_id"])
    )
    session.execute(statement)
    row = session.execute(
        select(
            MaintenanceActionExecution.id,
            MaintenanceActionExecution.finished_at,
            MaintenanceActionExecution.job_id,
        ).where(
            MaintenanceActionExecution.run_id == run_id,
            MaintenanceActionExecution.action_id == action["action_id"],
        )
    ).one()
    return StartedExecution(row.id, row.finished_at is not None, row.job_id)


def record_submission(
    session: Session, execution_id: int, job_id: str, submitted_at: datetime | None
) -> None:
    """The action's job is in the plan: the master's id of it, and when it was submitted
    (None when an attempt that died submitted it and a later one found it)."""
    session.execute(
        update(MaintenanceActionExecution)
        .where(MaintenanceActionExecution.id == execution_id)
        .values(job_id=job_id, submitted_at=submitted_at)
    )


def finish_execution(
    session: Session,
    execution_id: int,
    *,
    job_status: str,
    exit_code: int | None,
    output: str,
    finished: datetime,
) -> None:
    """Record how an action ended on its audit row."""
    session.execute(
        update(MaintenanceActionExecution)
        .where(MaintenanceActionExecution.id == execution_id)
        .values(job_status=job_status, exit_code=exit_code, output=output, finished_at=finished)
    )


def awaiting_effect(session: Session) -> list[MaintenanceActionExecution]:
    """Jobs that ended well whose effect was not seen yet, oldest first."""
    query = (
        select(MaintenanceActionExecution)
        .where(
            MaintenanceActionExecution.job_status == "SUCC",
            MaintenanceActionExecution.effect.is_(None),
        )
        .order_by(MaintenanceActionExecution.finished_at)
    )
    return list(session.scalars(query))


def effect_readings(
    session: Session, workstation: str, metric: str, started: datetime, ended: datetime
) -> tuple[float, float, datetime] | None:
    """`metric` on `workstation` before the job started and after it ended, with when the
    after reading was taken; None until the history holds both."""
    if metric == JOBS_STARTED:
        if utcnow() < ended + JOBS_WINDOW:
            return None
        before = _jobs_started(session, workstation, started - JOBS_WINDOW, started)
        after = _jobs_started(session, workstation, ended, ended + JOBS_WINDOW)
        return float(before), float(after), ended + JOBS_WINDOW
    earlier = session.scalars(
        select(WorkstationMetrics)
        .where(WorkstationMetrics.workstation == workstation)
        .where(WorkstationMetrics.sample_time <= started)
        .order_by(WorkstationMetrics.sample_time.desc())
        .limit(1)
    ).first()
    later = session.scalars(
        select(WorkstationMetrics)
        .where(WorkstationMetrics.workstation == workstation)
        .where(WorkstationMetrics.sample_time > ended)
        .order_by(WorkstationMetrics.sample_time)
        .limit(1)
    ).first()
    if earlier is None or later is None:
        return None
    before = sample_reading(_row(earlier), metric)
    after = sample_reading(_row(later), metric)
    if before is None or after is None:
        return None
    return before, after, later.sample_time


def _row(sample: WorkstationMetrics) -> dict[str, Any]:
    columns = WorkstationMetrics.__mapper__.columns
    return {column.key: getattr(sample, column.key) for column in columns}


def _jobs_started(session: Session, workstation: str, start: datetime, end: datetime) -> int:
    return session.scalar(
        select(func.count()).where(
            JobExecution.workstation == workstation,
            JobExecution.started_at > start,
            JobExecution.started_at <= end,
        )
    )


def record_effect(
    session: Session,
    execution_id: int,
    effect: str,
    metric: str,
    readings: tuple[float, float, datetime],
) -> None:
    """Store what the action changed: the metric before and after, and when it was seen."""
    before, after, observed_at = readings
    session.execute(
        update(MaintenanceActionExecution)
        .where(MaintenanceActionExecution.id == execution_id)
        .values(
            effect=effect,
            effect_metric=metric,
            effect_before=before,
            effect_after=after,
            effect_observed_at=observed_at,
        )
    )


def _outcome(executions: list[MaintenanceActionExecution]) -> str | None:
    ran = [execution for execution in executions if not execution.dry_run]
    if any(execution.effect == "helped" for execution in ran):
        return "resolved"
    failed = [
        execution
        for execution in ran
        if execution.finished_at is not None
        and (execution.job_status != "SUCC" or execution.effect == "no_effect")
    ]
    return FAILED if ran and len(failed) == len(ran) else None


def settle_findings(session: Session, run_ids: set[uuid.UUID]) -> list[MaintenanceFinding]:
    """Set each finding's outcome from its actions' executions; the findings whose changed."""
    executions: dict[tuple[uuid.UUID, str], MaintenanceActionExecution] = {
        (execution.run_id, execution.action_id): execution
        for execution in session.scalars(
            select(MaintenanceActionExecution).where(MaintenanceActionExecution.run_id.in_(run_ids))
        )
    }
    changed = []
    findings = session.scalars(
        select(MaintenanceFinding).where(MaintenanceFinding.run_id.in_(run_ids))
    )
    for finding in findings:
        ran = [
            executions[(finding.run_id, action["action_id"])]
            for action in finding.actions
            if (finding.run_id, action["action_id"]) in executions
        ]
        outcome = _outcome(ran)
        if outcome is not None and outcome != finding.outcome:
            finding.outcome = outcome
            changed.append(finding)
    return changed


def executed_actions(
    session: Session, executions: list[MaintenanceActionExecution]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """Each execution's finding kind and proposed action (workstation, arguments), by its id."""
    wanted = {(execution.run_id, execution.action_id): execution.id for execution in executions}
    found = {}
    findings = session.scalars(
        select(MaintenanceFinding).where(
            MaintenanceFinding.run_id.in_({run_id for run_id, _ in wanted})
        )
    )
    for finding in findings:
        for action in finding.actions:
            execution_id = wanted.get((finding.run_id, action["action_id"]))
            if execution_id is not None:
                found[execution_id] = (finding.kind, action)
    return found


def failed_findings_to_notify(session: Session) -> list[MaintenanceFinding]:
    """Findings whose actions failed and whose reviewer was not told yet."""
    query = select(MaintenanceFinding).where(
        MaintenanceFinding.outcome == FAILED, MaintenanceFinding.notified_at.is_(None)
    )
    return list(session.scalars(query))


def finding_executions(
    session: Session, finding: MaintenanceFinding
) -> list[MaintenanceActionExecution]:
    """The executions of a finding's actions."""
    action_ids = [action["action_id"] for action in finding.actions]
    query = select(MaintenanceActionExecution).where(
        MaintenanceActionExecution.run_id == finding.run_id,
        MaintenanceActionExecution.action_id.in_(action_ids),
    )
    return list(session.scalars(query))
