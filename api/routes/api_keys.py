"""API-key administration: create, list, read, revoke, rotate, delete, audit trail and stats."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from api.deps import MAX_OFFSET, AdminReadKey, AdminWriteKey, SessionDep
from api.key_cache import KnownKey
from resync.ingest.payload import FREE_TEXT_PATTERN
from resync.keys import admin as api_key_admin
from resync.keys.admin import Actor, KeyConflictError, KeyNotFoundError
from resync.keys.binding import bind_to_workstations
from resync.keys.format import SCOPES
from resync.keys.schemas import (
    ApiKeyBrief,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyEventPublic,
    ApiKeyEventsPublic,
    ApiKeyPublic,
    ApiKeyRotate,
    ApiKeyRotated,
    ApiKeysPublic,
    ApiKeyStats,
)
from resync.keys.stats import key_stats
from resync.keys.store import find_keys

router = APIRouter(prefix="/api/v1/admin/api-keys", tags=["admin"])

# A response carrying a plaintext key: no browser or proxy cache may keep it.
NO_STORE = "no-store"
ScopeName = Literal[SCOPES]  # type: ignore[valid-type]
Reason = Annotated[
    str,
    Query(
        min_length=1,
        max_length=500,
        pattern=FREE_TEXT_PATTERN,
        description="Why the key is revoked (kept in the audit)",
    ),
]


def actor_of(key: KnownKey, request: Request) -> Actor:
    """The acting key as stored in created_by / revoked_by (≤ 100 characters) and the audit."""
    address = request.client.host if request.client is not None else None
    return Actor(label=f"{key.name[:80]} ({key.key_prefix}…)", client_address=address)


@contextmanager
def admin_errors() -> Iterator[None]:
    try:
        yield
    except KeyNotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except KeyConflictError as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from None


@router.post("", status_code=status.HTTP_201_CREATED)
def create_api_key(
    body: ApiKeyCreate,
    session: SessionDep,
    key: AdminWriteKey,
    request: Request,
    response: Response,
) -> ApiKeyCreated:
    """Create a key; the response is the only time the full key is ever shown."""
    response.headers["Cache-Control"] = NO_STORE
    record, plaintext = api_key_admin.create_key(
        session,
        actor_of(key, request),
        name=body.name,
        scopes=body.scopes,
        description=body.description,
        expires_in_days=body.expires_in_days,
    )
    bind_to_workstations(record, body.workstations or [])
    session.commit()
    return ApiKeyCreated.of_new(record, plaintext)


@router.get("")
def read_api_keys(
    session: SessionDep,
    _key: AdminReadKey,
    include_revoked: bool = False,
    name: Annotated[
        str | None, Query(max_length=100, pattern=FREE_TEXT_PATTERN, description="Part of the name")
    ] = None,
    scope: ScopeName | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ApiKeysPublic:
    """Keys, newest first, without their plaintext or hash."""
    records, count = find_keys(
        session,
        include_revoked=include_revoked,
        name=name,
        scope=scope,
        limit=limit,
        offset=offset,
    )
    return ApiKeysPublic(data=[ApiKeyPublic.of(record) for record in records], count=count)


@router.get("/stats/summary")
def read_api_key_stats(session: SessionDep, _key: AdminReadKey) -> ApiKeyStats:
    """Keys by status, expiring within 7 days, most used, newest, and requests in the last 24 h."""
    stats = key_stats(session)
    brief = ApiKeyBrief.model_validate
    return ApiKeyStats(
        total=stats.total,
        active=stats.active,
        revoked=stats.revoked,
        expired=stats.expired,
        expiring_within_7_days=stats.expiring_within_7_days,
        requests_last_24h=stats.requests_last_24h,
        most_used=[brief(record) for record in stats.most_used],
        recently_created=[brief(record) for record in stats.recently_created],
    )


@router.get("/{key_id}")
def read_api_key(key_id: uuid.UUID, session: SessionDep, _key: AdminReadKey) -> ApiKeyPublic:
    """One key with its usage, status and who created or revoked it."""
    with admin_errors():
        return ApiKeyPublic.of(api_key_admin.get_key(session, key_id))


@router.delete("/{key_id}")
def revoke_api_key(
    key_id: uuid.UUID, reason: Reason, session: SessionDep, key: AdminWriteKey, request: Request
) -> ApiKeyPublic:
    """Revoke a key (it stops working within 5 s); the reason and who revoked it are kept."""
    with admin_errors():
        record = api_key_admin.revoke_key(session, key_id, actor_of(key, request), reason)
    session.commit()
    return ApiKeyPublic.of(record)


@router.delete("/{key_id}/permanent", status_code=status.HTTP_204_NO_CONTENT)
def delete_api_key(
    key_id: uuid.UUID, session: SessionDep, key: AdminWriteKey, request: Request
) -> Response:
    """Delete a key for good; its audit trail keeps a `deleted` event."""
    with admin_errors():
        api_key_admin.delete_key(session, key_id, actor_of(key, request))
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{key_id}/rotate", status_code=status.HTTP_201_CREATED)
def rotate_api_key(
    key_id: uuid.UUID,
    session: SessionDep,
    key: AdminWriteKey,
    request: Request,
    response: Response,
    body: ApiKeyRotate | None = None,
) -> ApiKeyRotated:
    """Issue a replacement key; the old one keeps working for the grace period (24 h default)."""
    response.headers["Cache-Control"] = NO_STORE
    grace = timedelta(hours=(body or ApiKeyRotate()).grace_period_hours)
    with admin_errors():
        new, plaintext, old = api_key_admin.rotate_key(
            session, key_id, actor_of(key, request), grace
        )
    session.commit()
    created = ApiKeyCreated.of_new(new, plaintext)
    return ApiKeyRotated(**created.model_dump(), previous_key=ApiKeyPublic.of(old))


@router.get("/{key_id}/events")
def read_api_key_events(
    key_id: uuid.UUID,
    session: SessionDep,
    _key: AdminReadKey,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ApiKeyEventsPublic:
    """A key's audit trail, newest first: created, revoked, rotated, first use from an address."""
    with admin_errors():
        events, count = api_key_admin.list_events(session, key_id, limit, offset)
    return ApiKeyEventsPublic(
        data=[ApiKeyEventPublic.model_validate(event) for event in events], count=count
    )
