"""Job runs: pushed by the master for estates without REST access, read back per FTA."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import Field, TypeAdapter

from api.deps import JobsWriteKey, MetricsReadKey, SessionDep
from api.json_body import json_body, request_body
from resync.ingest.payload import BATCH_MAX_ITEMS, WORKSTATION_PATTERN, UtcTime
from resync.jobs.schemas import (
    JobExecutionPublic,
    JobExecutionsAccepted,
    JobExecutionsPublic,
    JobLogPublic,
    JobRun,
    JobStatus,
    RunId,
)
from resync.jobs.store import find_joblog, read_job_runs, store_job_runs

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

JobRunBatch = TypeAdapter(Annotated[list[JobRun], Field(min_length=1, max_length=BATCH_MAX_ITEMS)])


@router.post(
    "/executions",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=request_body(
        {
            "type": "array",
            "items": JobRun.model_json_schema(),
            "minItems": 1,
            "maxItems": BATCH_MAX_ITEMS,
        }
    ),
)
def create_job_executions(
    key: JobsWriteKey,
    runs: Annotated[list[JobRun], Depends(json_body(JobRunBatch))],
    session: SessionDep,
    request: Request,
    response: Response,
) -> JobExecutionsAccepted:
    """Store up to 5,000 job runs; a run id already stored is a duplicate and changes nothing."""
    duplicates = store_job_runs(session, runs, request.app.state.settings.joblog_max_bytes)
    duplicate_ids = [
        run.run_id for run, duplicate in zip(runs, duplicates, strict=True) if duplicate
    ]
    if len(duplicate_ids) == len(runs):
        response.status_code = status.HTTP_200_OK
    return JobExecutionsAccepted(
        accepted=len(runs) - len(duplicate_ids),
        duplicates=len(duplicate_ids),
        duplicate_run_ids=duplicate_ids,
    )


@router.get("/executions")
def read_job_executions(
    session: SessionDep,
    _key: MetricsReadKey,
    workstation: Annotated[str | None, Query(pattern=WORKSTATION_PATTERN)] = None,
    status: JobStatus | None = None,
    since: UtcTime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> JobExecutionsPublic:
    """Job runs, newest start first, optionally of one FTA, in one status, since a time."""
    rows, count = read_job_runs(
        session,
        workstation=None if workstation is None else workstation.upper(),
        status=status,
        since=since,
        limit=limit,
    )
    data = [JobExecutionPublic.model_validate(row, from_attributes=True) for row in rows]
    return JobExecutionsPublic(data=data, count=count)


@router.get("/executions/{run_id:path}/joblog")
def read_job_execution_joblog(
    session: SessionDep, _key: MetricsReadKey, run_id: RunId
) -> JobLogPublic:
    """One run's joblog (secrets masked, only its end when it was long)."""
    found, joblog = find_joblog(session, run_id)
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Job run {run_id!r} not found")
    return JobLogPublic(run_id=run_id, joblog=joblog)
