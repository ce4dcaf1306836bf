"""Predictive maintenance: the latest findings, one per FTA and problem, with their actions."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import SessionDep, WorkflowsReadKeyOrLink
from resync.db.models import MaintenanceActionExecution, MaintenanceReview
from resync.ingest.payload import WORKSTATION_PATTERN
from resync.maintenance.schemas import ActionReviewPublic, FindingPublic, FindingsPublic
from resync.maintenance.store import latest_findings_run, run_action_decisions, run_findings
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
        comment=review.comment if review else None,
        submitted_at=review.submitted_at if review else None,
        flow_run_id=review.flow_run_id if review else None,
        decided_at=review.decided_at if review else None,
        executed_at=execution.finished_at if execution else None,
        dry_run=execution.dry_run if execution else None,
        exit_code=execution.exit_code if execution else None,
    )


@router.get("/findings")
def read_findings(
    session: SessionDep,
    _key: WorkflowsReadKeyOrLink,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    kind: Kind | None = None,
) -> FindingsPublic:
    """The latest run's findings (healthy FTAs have none), optionally of one FTA or problem."""
    latest = latest_findings_run(session)
    if latest is None:
        return FindingsPublic(data=[], count=0)
    findings = run_findings(
        session, latest, workstation=workstation and workstation.upper(), kind=kind
    )
    decisions = run_action_decisions(session, latest)
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
                    action,
                    decisions.reviews.get(action["action_id"]),
                    decisions.executions.get(action["action_id"]),
                )
                for action in finding.actions
            ],
        )
        for finding in findings
    ]
    return FindingsPublic(data=data, count=len(data))
