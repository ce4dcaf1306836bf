"""Liveness and readiness probes for load balancers and process supervisors."""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from resync.ingest.inbox_store import check_database

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def read_health() -> dict[str, str]:
    """The process is up (no database check, no authentication)."""
    return {"status": "ok"}


@router.get("/readyz")
async def read_readiness(request: Request) -> dict[str, str]:
    """The database answers; 503 when it does not."""
    try:
        await run_in_threadpool(check_database, request.app.state.read_engine)
    except Exception as error:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"database unreachable: {type(error).__name__}",
        ) from None
    return {"status": "ready"}
