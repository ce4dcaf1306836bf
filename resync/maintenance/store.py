"""Persistence of predictive-maintenance runs: claims, findings, review decisions, action audit.

A run is claimed by one Prefect flow run at a time, whose process keeps the run's heartbeat
fresh while it lives, paused for a review included. A new flow run leaves a run with a fresh
heartbeat to its owner and ends; a run whose heartbeat went stale (its process died) is taken
over by the next flow run, which continues its LangGraph thread from the checkpoint. Every
write that may be repeated after a crash is idempotent. The findings API, the run's artifacts
and the reviewer's links read the same rows back through the functions here.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.models import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
    Report,
    utcnow,
)
from resync.maintenance.types import Finding, Kind

UNFINISHED = ("running", "awaiting_review")
# The PostgreSQL advisory lock that makes claims one at a time (SQLite's BEGIN IMMEDIATE does).
CLAIM_LOCK = 0x7265_7379_6E63_4D52


class RunTakenOver(RuntimeError):
    """Another flow run took this maintenance run over; this one must stop."""


@dataclass(frozen=True)
class ActionDecisions:
    """The review and the execution of each action of one run, by action id."""

    reviews: dict[str, MaintenanceReview]
    executions: dict[str, MaintenanceActionExecution]


@dataclass(frozen=True)
class ClaimedRun:
    """The maintenance run a flow run drives, and the flow run it was taken from (if any)."""

    run_id: uuid.UUID
    thread_id: str
    previous_flow_run_id: uuid.UUID | None


@dataclass(frozen=True)
class ActiveRun:
    """An unfinished run whose owner is alive: a new flow run leaves it alone and ends."""

    run_id: uuid.UUID
    flow_run_id: uuid.UUID | None
    status: str
    heartbeat_at: datetime


def claim_run(
    session: Session, flow_run_id: uuid.UUID | None, stale_after: timedelta
) -> ClaimedRun | ActiveRun:
    """Start a new run, take over one whose heartbeat is older than `stale_after`, or name the
    live run that stops this flow run."""
    if session.get_bind().dialect.name == "postgresql":
        # FOR UPDATE locks no row when there is no unfinished run: without this, two flow runs
        # starting together would both start a run.
        session.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK)))
    now = utcnow()
    run = session.scalars(
        select(MaintenanceRun)
        .where(MaintenanceRun.status.in_(UNFINISHED))
        .order_by(MaintenanceRun.started_at.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if run is None:
        run = MaintenanceRun(
            id=uuid.uuid4(),
            thread_id=f"maintenance-{uuid.uuid4()}",
            flow_run_id=flow_run_id,
            heartbeat_at=now,
        )
        session.add(run)
        session.flush()
        return ClaimedRun(run.id, run.thread_id, None)
    owner_alive = run.heartbeat_at is not None and now - run.heartbeat_at < stale_after
    if run.flow_run_id != flow_run_id and owner_alive:
        return ActiveRun(run.id, run.flow_run_id, run.status, run.heartbeat_at)
    previous = run.flow_run_id if run.flow_run_id != flow_run_id else None
    run.flow_run_id = flow_run_id
    run.status = "running"
    run.heartbeat_at = now
    return ClaimedRun(run.id, run.thread_id, previous)


def record_heartbeat(session: Session, run_id: uuid.UUID, flow_run_id: uuid.UUID | None) -> bool:
    """Mark the run alive now; False when `flow_run_id` no longer drives it (taken over)."""
    changed = session.execute(
        update(MaintenanceRun)
        .where(
            MaintenanceRun.id == run_id,
            MaintenanceRun.flow_run_id == flow_run_id,
            MaintenanceRun.status.in_(UNFINISHED),
        )
        .values(heartbeat_at=utcnow())
    ).rowcount
    return changed == 1


def set_run_status(
    session: Session, run_id: uuid.UUID, flow_run_id: uuid.UUID | None, status: str
) -> None:
    """Move the run to `status`, provided `flow_run_id` still drives it (else RunTakenOver)."""
    values: dict[str, Any] = {"status": status}
    if status in ("finished", "failed"):
        values["finished_at"] = utcnow()
    changed = session.execute(
        update(MaintenanceRun)
        .where(MaintenanceRun.id == run_id, MaintenanceRun.flow_run_id == flow_run_id)
        .values(**values)
    ).rowcount
    if changed == 0:
        raise RunTakenOver(
            f"maintenance run {run_id} is driven by another flow run now; this one stops"
        )


def store_findings(
    session: Session, run_id: uuid.UUID, findings: list[Finding], insight: dict[str, str]
) -> None:
    """Replace the run's findings (a repeated store after a crash writes them once)."""
    session.execute(delete(MaintenanceFinding).where(MaintenanceFinding.run_id == run_id))
    session.add_all(
        MaintenanceFinding(
            id=uuid.uuid4(),
            run_id=run_id,
            workstation=finding.workstation,
            kind=finding.kind,
            resource=finding.resource,
            predicted_failure_date=finding.predicted_failure_date,
            confidence=finding.confidence,
            evidence_summary=finding.evidence_summary,
            evidence=finding.model_dump(mode="json")["evidence"],
            actions=[action.model_dump(mode="json") for action in finding.actions],
            review_status="pending" if finding.actions else "no_actions",
        )
        for finding in findings
    )
    session.execute(
        update(MaintenanceRun)
        .where(MaintenanceRun.id == run_id)
        .values(
            findings_at=utcnow(),
            insight=insight["insight"],
            analyst=insight["analyst"],
            analyst_note=insight["analyst_note"] or None,
        )
    )


def store_reviews(session: Session, run_id: uuid.UUID, decisions: list[dict[str, Any]]) -> None:
    """Store each action's decision once and summarise them on the run's findings."""
    if decisions:
        statement = conflict_insert(
            session.get_bind().dialect.name, MaintenanceReview
        ).on_conflict_do_nothing(index_elements=["run_id", "action_id"])
        session.execute(statement, [{"run_id": run_id, **decision} for decision in decisions])
    stored = run_action_decisions(session, run_id).reviews
    for finding in run_findings(session, run_id):
        reviews = [stored.get(action["action_id"]) for action in finding.actions]
        if reviews and all(review is not None for review in reviews):
            finding.review_status = _review_status(reviews)


def _review_status(reviews: list[MaintenanceReview]) -> str:
    approved = [review for review in reviews if review.decision == "approved"]
    if not approved:
        return "rejected"
    if len(approved) < len(reviews):
        return "partly_approved"
    if all(review.source == "auto_approved" for review in reviews):
        return "auto_approved"
    return "approved"


def run_action_decisions(session: Session, run_id: uuid.UUID) -> ActionDecisions:
    """The run's stored reviews and executions, each by action id."""
    reviews = session.scalars(select(MaintenanceReview).where(MaintenanceReview.run_id == run_id))
    executions = session.scalars(
        select(MaintenanceActionExecution).where(MaintenanceActionExecution.run_id == run_id)
    )
    return ActionDecisions(
        reviews={review.action_id: review for review in reviews},
        executions={execution.action_id: execution for execution in executions},
    )


def latest_findings_run(session: Session) -> uuid.UUID | None:
    """The run whose findings were stored last (None before any run stored findings)."""
    return session.scalar(
        select(MaintenanceRun.id)
        .where(MaintenanceRun.findings_at.is_not(None))
        .order_by(MaintenanceRun.findings_at.desc())
        .limit(1)
    )


def run_findings(
    session: Session, run_id: uuid.UUID, *, workstation: str | None = None, kind: Kind | None = None
) -> list[MaintenanceFinding]:
    """The run's findings, optionally of one FTA or problem, soonest failure first."""
    conditions = [MaintenanceFinding.run_id == run_id]
    if workstation is not None:
        conditions.append(MaintenanceFinding.workstation == workstation)
    if kind is not None:
        conditions.append(MaintenanceFinding.kind == kind)
    query = (
        select(MaintenanceFinding)
        .where(*conditions)
        .order_by(
            MaintenanceFinding.predicted_failure_date.asc().nulls_last(),
            MaintenanceFinding.workstation,
            MaintenanceFinding.kind,
        )
    )
    return list(session.scalars(query))


def latest_report(session: Session) -> tuple[uuid.UUID, str] | None:
    """The id and title of the newest report, whose charts a reviewer may want to see."""
    row = session.execute(
        select(Report.id, Report.title).order_by(Report.created_at.desc()).limit(1)
    ).first()
    return None if row is None else (row.id, row.title)


def start_execution(
    session: Session,
    run_id: uuid.UUID,
    action: dict[str, Any],
    argv: list[str],
    *,
    dry_run: bool,
    review: MaintenanceReview,
) -> int | None:
    """Audit an action about to run; None when it was already started once (never run twice)."""
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
        )
        .on_conflict_do_nothing(index_elements=["run_id", "action_id"])
        .returning(MaintenanceActionExecution.id)
    )
    return session.execute(statement).scalar_one_or_none()


def finish_execution(
    session: Session, execution_id: int, exit_code: int | None, output: str, finished: datetime
) -> None:
    """Record an action's outcome on its audit row."""
    session.execute(
        update(MaintenanceActionExecution)
        .where(MaintenanceActionExecution.id == execution_id)
        .values(exit_code=exit_code, output=output, finished_at=finished)
    )
