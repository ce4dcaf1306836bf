"""Persistence of predictive-maintenance results: findings and review decisions.

Who drives a run (claim, heartbeat, status) is `resync.maintenance.claims`; the actions that
run, their jobs and effects `resync.maintenance.execution_store`. Every write here
that may be repeated after a crash is idempotent. The findings API, the run's artifacts and the
reviewer's links read the same rows back through the functions here.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from resync.db.engine import conflict_insert
from resync.db.models import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
    utcnow,
)
from resync.maintenance.types import Finding, Kind, ReviewDecision


@dataclass(frozen=True)
class ActionDecisions:
    """The review and the execution of each action of one run, by action id."""

    reviews: dict[str, MaintenanceReview]
    executions: dict[str, MaintenanceActionExecution]


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


def store_reviews(
    session: Session, run_id: uuid.UUID, decisions: list[ReviewDecision], decided_at: datetime
) -> None:
    """Store each action's decision once and summarise them on the run's findings."""
    if decisions:
        statement = conflict_insert(
            session.get_bind().dialect.name, MaintenanceReview
        ).on_conflict_do_nothing(index_elements=["run_id", "action_id"])
        rows = [
            {"run_id": run_id, "decided_at": decided_at, **decision.model_dump()}
            for decision in decisions
        ]
        session.execute(statement, rows)
    stored = run_action_decisions(session, run_id).reviews
    for finding in run_findings(session, run_id):
        reviews = [stored.get(action["action_id"]) for action in finding.actions]
        if reviews and all(review is not None for review in reviews):
            finding.review_status = _review_status(reviews)


def _review_status(reviews: list[MaintenanceReview]) -> str:
    approved = [review for review in reviews if review.decision == "approved"]
    if not approved:
        # Nothing runs either way; "deferred" says a reviewer left it for the next run.
        return "deferred" if any(r.decision == "deferred" for r in reviews) else "rejected"
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
