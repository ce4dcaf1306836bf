"""Dependencies shared by the routes: database sessions and API-key authentication."""

from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.key_cache import KnownKey
from resync.db.engine import session_scope
from resync.keys.format import KeyFormatError, check_key_format, hash_key

bearer_scheme = HTTPBearer(auto_error=False, description="Authorization: Bearer rsk_…")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: rsk_…")

# Offsets beyond a signed 64-bit integer overflow SQLite (a 500); no list is that long.
MAX_OFFSET = 2**62
MISSING_KEY = "Missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
ROTATED_KEY = (
    "Invalid API key: the key was rotated and its grace period has ended; use its replacement"
)


def get_session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_scope(scope: str) -> Callable[..., Coroutine[Any, Any, KnownKey]]:
    """A dependency that authenticates the request's key and demands `scope`."""

    async def authenticate(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
        header_key: Annotated[str | None, Security(api_key_scheme)],
    ) -> KnownKey:
        key = bearer.credentials if bearer is not None else header_key
        if not key:
            raise _unauthorized(MISSING_KEY)
        try:
            check_key_format(key)
        except KeyFormatError as error:
            raise _unauthorized(f"Invalid API key: {error}") from None
        key_hash = hash_key(key)
        cache = request.app.state.key_cache
        hit, known = cache.cached(key_hash)
        if not hit:
            known = await run_in_threadpool(cache.load, key_hash)
        if known is None:
            raise _unauthorized("Invalid API key: unknown key")
        if known.revoked:
            raise _unauthorized("Invalid API key: the key has been revoked")
        now = datetime.now(UTC)
        if known.expires_at is not None and known.expires_at <= now:
            raise _unauthorized("Invalid API key: the key has expired")
        if known.grace_until is not None and known.grace_until <= now:
            raise _unauthorized(ROTATED_KEY)
        if scope not in known.scopes:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"API key lacks the '{scope}' scope",
            )
        client_address = request.client.host if request.client is not None else None
        request.app.state.usage_recorder.record(known.id, client_address)
        return known

    authenticate.required_scope = scope  # type: ignore[attr-defined]
    return authenticate


IngestKey = Annotated[KnownKey, Depends(require_scope("metrics:write"))]
MetricsReadKey = Annotated[KnownKey, Depends(require_scope("metrics:read"))]
JobsWriteKey = Annotated[KnownKey, Depends(require_scope("jobs:write"))]
WorkflowsReadKey = Annotated[KnownKey, Depends(require_scope("workflows:read"))]
WorkflowsWriteKey = Annotated[KnownKey, Depends(require_scope("workflows:write"))]
AdminReadKey = Annotated[KnownKey, Depends(require_scope("admin:read"))]
AdminWriteKey = Annotated[KnownKey, Depends(require_scope("admin:write"))]
