"""Predictive maintenance: the latest findings, one per FTA and problem, with their actions."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import SessionDep, WorkflowsReadKey
from resync.db.models import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
)
from resync.ingest.payload import WORKSTATION_PATTERN
from resync.maintenance.schemas import ActionReviewPublic, FindingPublic, FindingsPublic
from resync.maintenance.types import Kind

router = APIRouter(prefix="/api/v1/maintenance", tags=["maintenance"])


def _action(
    action: dict[str, Any],
    review: MaintenanceReview | None,
    execution: MaintenanceActionExecution | None,
) -> ActionReviewPublic:
    return ActionReviewPublic(
        **action,
        review_status=review.decision if review else "pending",
        review_source=review.source if review else None,
        decided_by=review.decided_by if review else None,
        decided_at=review.decided_at if review else None,
        executed_at=execution.finished_at if execution else None,
        dry_run=execution.dry_run if execution else None,
        exit_code=execution.exit_code if execution else None,
    )


@router.get("/findings")
def read_findings(
    session: SessionDep,
    _key: WorkflowsReadKey,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    kind: Kind | None = None,
) -> FindingsPublic:
    """The latest run's findings (healthy FTAs have none), optionally of one FTA or problem."""
    latest = session.scalar(
        select(MaintenanceRun.id)
        .where(MaintenanceRun.findings_at.is_not(None))
        .order_by(MaintenanceRun.findings_at.desc())
        .limit(1)
    )
    if latest is None:
        return FindingsPublic(data=[], count=0)
    conditions = [MaintenanceFinding.run_id == latest]
    if workstation is not None:
        conditions.append(MaintenanceFinding.workstation == workstation.upper())
    if kind is not None:
        conditions.append(MaintenanceFinding.kind == kind)
    findings = session.scalars(
        select(MaintenanceFinding)
        .where(*conditions)
        .order_by(
            MaintenanceFinding.predicted_failure_date.asc().nulls_last(),
            MaintenanceFinding.workstation,
            MaintenanceFinding.kind,
        )
    ).all()
    reviews = {
        review.action_id: review
        for review in session.scalars(
            select(MaintenanceReview).where(MaintenanceReview.run_id == latest)
        )
    }
    executions = {
        execution.action_id: execution
        for execution in session.scalars(
            select(MaintenanceActionExecution).where(MaintenanceActionExecution.run_id == latest)
        )
    }
    data = [
        FindingPublic(
            id=finding.id,
            run_id=finding.run_id,
            workstation=finding.workstation,
            kind=finding.kind,
            resource=finding.resource,
            predicted_failure_date=finding.predicted_failure_date,
            confidence=finding.confidence,
            evidence_summary=finding.evidence_summary,
            review_status=finding.review_status,
            created_at=finding.created_at,
            actions=[
                _action(
                    action, reviews.get(action["action_id"]), executions.get(action["action_id"])
                )
                for action in finding.actions
            ],
        )
        for finding in findings
    ]
    return FindingsPublic(data=data, count=len(data))
