"""Failed job runs: the root-cause card of a run, and the resolution an operator records."""

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.orm import Session

from api.deps import SessionDep, WorkflowsReadKey, WorkflowsWriteKey
from resync.db.models import FailureAnalysis, FailureResolution
from resync.joblog.redaction import redact_secrets
from resync.joblog.schemas import FailureAnalysisPublic, ResolutionCreate, ResolutionPublic
from resync.joblog.store import add_failure_resolution, find_failure_analysis, latest_resolutions
from resync.jobs.schemas import RunId
from resync.jobs.store import job_run_status

router = APIRouter(prefix="/api/v1/jobs/failures", tags=["failures"])


def _analysis(session: Session, run_id: str) -> FailureAnalysis:
    analysis = find_failure_analysis(session, run_id)
    if analysis is not None:
        return analysis
    run = job_run_status(session, run_id)
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
    session: SessionDep, _key: WorkflowsReadKey, run_id: RunId
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
    session: SessionDep, key: WorkflowsWriteKey, run_id: RunId, body: ResolutionCreate
) -> ResolutionPublic:
    """Record what really fixed a failed run; similar-case search shows it from now on."""
    _analysis(session, run_id)
    row = add_failure_resolution(
        session,
        run_id,
        resolution=redact_secrets(body.resolution),
        failure_class=body.failure_class,
        resolved_by=redact_secrets(body.resolved_by) if body.resolved_by else key.name,
    )
    return ResolutionPublic.model_validate(row, from_attributes=True)
