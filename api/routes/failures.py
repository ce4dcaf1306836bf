"""Failed job runs: the root-cause card of a run, and the resolution an operator records."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select

from api.deps import SessionDep, WorkflowsReadKey, WorkflowsWriteKey
from resync.db.models import FailureAnalysis, FailureResolution, JobExecution
from resync.ingest.payload import FREE_TEXT_PATTERN
from resync.joblog.classification import EvidenceLine, FailureClass
from resync.joblog.redaction import redact_secrets
from resync.joblog.similarity import SimilarCase
from resync.joblog.store import latest_resolutions

router = APIRouter(prefix="/api/v1/jobs/failures", tags=["failures"])


Name = Annotated[str, StringConstraints(max_length=120, pattern=FREE_TEXT_PATTERN)]


class ResolutionCreate(BaseModel):
    resolution: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=4000, pattern=FREE_TEXT_PATTERN
        ),
    ] = Field(description="What fixed the failure")
    failure_class: FailureClass | None = Field(
        default=None, description="The real failure class, when the card's was wrong or unknown"
    )
    resolved_by: Name | None = Field(
        default=None, description="Who resolved it (default: the key's name)"
    )


class ResolutionPublic(BaseModel):
    run_id: str
    resolution: str
    failure_class: str | None
    resolved_by: str | None
    recorded_at: datetime


class FailureAnalysisPublic(BaseModel):
    run_id: str
    workstation: str
    job_stream: str
    job_name: str
    failed_at: datetime
    return_code: int | None
    failure_class: FailureClass
    confidence: float
    method: str
    explanation: str
    evidence: list[EvidenceLine]
    resource_state: dict[str, Any]
    run_history: dict[str, Any]
    similar_cases: list[SimilarCase]
    suggested_fix: str
    analyst: str
    analyst_note: str | None
    created_at: datetime
    resolution: ResolutionPublic | None


def _analysis(session: SessionDep, run_id: str) -> FailureAnalysis:
    analysis = session.scalar(select(FailureAnalysis).where(FailureAnalysis.run_id == run_id))
    if analysis is not None:
        return analysis
    run = session.scalar(select(JobExecution.status).where(JobExecution.run_id == run_id))
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No job run with id {run_id!r}")
    raise HTTPException(
        status.HTTP_404_NOT_FOUND,
        f"Job run {run_id!r} ({run}) has no analysis: only failed runs are analysed; run the "
        f"decision-support flow with run_ids=[{run_id!r}] if it failed",
    )


def _resolution(row: FailureResolution | None) -> ResolutionPublic | None:
    return None if row is None else ResolutionPublic.model_validate(row, from_attributes=True)


@router.get("/{run_id:path}/analysis")
def read_failure_analysis(
    session: SessionDep, _key: WorkflowsReadKey, run_id: str
) -> FailureAnalysisPublic:
    """The root-cause card of a failed job run, with the latest recorded resolution."""
    analysis = _analysis(session, run_id)
    resolution = latest_resolutions(session, [run_id]).get(run_id)
    return FailureAnalysisPublic.model_validate(
        {
            **{
                name: getattr(analysis, name)
                for name in FailureAnalysisPublic.model_fields
                if name != "resolution"
            },
            "resolution": _resolution(resolution),
        }
    )


@router.post("/{run_id:path}/resolution", status_code=status.HTTP_201_CREATED)
def create_failure_resolution(
    session: SessionDep, key: WorkflowsWriteKey, run_id: str, body: ResolutionCreate
) -> ResolutionPublic:
    """Record what really fixed a failed run; similar-case search shows it from now on."""
    _analysis(session, run_id)
    row = FailureResolution(
        run_id=run_id,
        resolution=redact_secrets(body.resolution),
        failure_class=body.failure_class,
        resolved_by=body.resolved_by or key.name,
    )
    session.add(row)
    session.flush()
    return ResolutionPublic.model_validate(row, from_attributes=True)
