"""Predictive maintenance: the latest findings, one per FTA and problem, with their actions."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import PlainTextResponse

from api.deps import MAX_ID, SessionDep, WorkflowsReadKey, WorkflowsReadKeyOrLink
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
        job_name=execution.job_name if execution else None,
        job_id=execution.job_id if execution else None,
        job_status=execution.job_status if execution else None,
        exit_code=execution.exit_code if execution else None,
        joblog=f"{router.prefix}/executions/{execution.id}/joblog" if execution else None,
        effect=execution.effect if execution else None,
        effect_metric=execution.effect_metric if execution else None,
        effect_before=execution.effect_before if execution else None,
        effect_after=execution.effect_after if execution else None,
        effect_observed_at=execution.effect_observed_at if execution else None,
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
            outcome=finding.outcome,
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


@router.get("/executions/{execution_id}/joblog", response_class=PlainTextResponse)
def read_execution_joblog(
    execution_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    _key: WorkflowsReadKey,
) -> str:
    """The joblog of an action's job (redacted, capped), or why the action did not run."""
    execution = session.get(MaintenanceActionExecution, execution_id)
    if execution is None or execution.finished_at is None:
        raise HTTPException(404, f"no finished maintenance action execution {execution_id}")
    return execution.output or ""
