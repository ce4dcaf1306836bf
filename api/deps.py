"""Dependencies shared by the routes: database sessions, API-key authentication and the signed
links that let a browser read one resource without a key."""

import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.key_cache import KnownKey
from resync.db.engine import session_scope
from resync.keys.format import KeyFormatError, check_key_format, hash_key
from resync.links import (
    EXPIRES,
    NOT_ENABLED,
    SIGNATURE,
    LinkRefused,
    LinkSigningNotConfigured,
    signing_secret,
    verify_link,
)

bearer_scheme = HTTPBearer(auto_error=False, description="Authorization: Bearer rsk_…")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: rsk_…")

READ_METHODS = ("GET", "HEAD")
# Offsets beyond a signed 64-bit integer overflow SQLite (a 500); no list is that long.
MAX_OFFSET = 2**62
# Ids are 64-bit: a larger one in a path is a 422, not an overflow in the database.
MAX_ID = 2**63 - 1
MISSING_KEY = "Missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
ROTATED_KEY = (
    "Invalid API key: the key was rotated and its grace period has ended; use its replacement"
)


async def hold_database_slot(request: Request) -> AsyncIterator[None]:
    async with request.app.state.database_slots.held():
        yield


def get_session(
    request: Request, _slot: Annotated[None, Depends(hold_database_slot)]
) -> Iterator[Session]:
    """A session held in one of the API's database slots; a GET's transaction only reads."""
    state = request.app.state
    engine = state.read_engine if request.method in READ_METHODS else state.engine
    with session_scope(engine) as session:
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


def _link_secret(request: Request) -> bytes:
    # Resolved at the first signed request: an API without a secret still serves keys.
    secret = getattr(request.app.state, "link_secret", None)
    if secret is None:
        try:
            secret = signing_secret(request.app.state.settings)
        except LinkSigningNotConfigured:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=NOT_ENABLED) from None
        request.app.state.link_secret = secret
    return secret


def _route_path(request: Request) -> str:
    """The path the link was signed for: the request's, without a proxy's root_path."""
    path, root = request.scope["path"], request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def require_scope_or_signed_link(
    scope: str,
) -> Callable[..., Coroutine[Any, Any, KnownKey | None]]:
    """For a GET that shows one resource to a person: a key with `scope`, or (with no key sent)
    a signed link to exactly this path and query, unexpired; None for a link."""
    by_key = require_scope(scope)

    async def authenticate(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
        header_key: Annotated[str | None, Security(api_key_scheme)],
        expires: Annotated[
            str | None, Query(alias=EXPIRES, description="A signed link's expiry (Unix time)")
        ] = None,
        signature: Annotated[
            str | None, Query(alias=SIGNATURE, description="A signed link's HMAC-SHA256")
        ] = None,
    ) -> KnownKey | None:
        if bearer is not None or header_key or (expires is None and signature is None):
            return await by_key(request, bearer, header_key)
        secret = _link_secret(request)
        try:
            verify_link(
                _route_path(request),
                request.query_params.multi_items(),
                expires,
                signature,
                secret,
                now=time.time(),
            )
        except LinkRefused as refused:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=str(refused)) from None
        return None

    authenticate.required_scope = scope  # type: ignore[attr-defined]
    authenticate.accepts_signed_links = True  # type: ignore[attr-defined]
    return authenticate


IngestKey = Annotated[KnownKey, Depends(require_scope("metrics:write"))]
MetricsReadKey = Annotated[KnownKey, Depends(require_scope("metrics:read"))]
JobsWriteKey = Annotated[KnownKey, Depends(require_scope("jobs:write"))]
WorkflowsReadKey = Annotated[KnownKey, Depends(require_scope("workflows:read"))]
WorkflowsReadKeyOrLink = Annotated[
    KnownKey | None, Depends(require_scope_or_signed_link("workflows:read"))
]
WorkflowsWriteKey = Annotated[KnownKey, Depends(require_scope("workflows:write"))]
AdminReadKey = Annotated[KnownKey, Depends(require_scope("admin:read"))]
AdminWriteKey = Annotated[KnownKey, Depends(require_scope("admin:write"))]
