"""Liveness and readiness probes for load balancers and process supervisors."""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
def read_health() -> dict[str, str]:
    """The process is up (no database check, no authentication)."""
    return {"status": "ok"}


@router.get("/readyz")
async def read_readiness(request: Request) -> dict[str, str]:
    """The database answers; 503 when it does not."""

    def ping() -> None:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception as error:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"database unreachable: {type(error).__name__}",
        ) from None
    return {"status": "ready"}
