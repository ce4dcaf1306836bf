"""Key administration: revoke, rotate and delete with a lock-out guard, the audit trail, stats."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from resync.db.models import ApiKey, ApiKeyEvent, ApiKeyHourlyUsage
from resync.keys.format import create_api_key, key_status
from resync.keys.usage import hour_of

ADMIN_WRITE = "admin:write"
DEFAULT_GRACE = timedelta(hours=24)
EXPIRING_SOON = timedelta(days=7)
STATS_TOP = 5


class KeyNotFoundError(LookupError):
    """No key with that id (never created, or deleted for good)."""

    def __init__(self, key_id: uuid.UUID) -> None:
        super().__init__(f"API key {key_id} not found")


class KeyConflictError(RuntimeError):
    """The change would leave the estate without an admin, or does not fit the key's state."""


@dataclass(frozen=True)
class Actor:
    """Who asked for a change: the acting key's label and the client address."""

    label: str | None
    client_address: str | None = None


def record_event(
    session: Session, key_id: uuid.UUID, event: str, actor: Actor, **detail: Any
) -> ApiKeyEvent:
    """Add one audit row for `key_id` (committed with the change it describes)."""
    row = ApiKeyEvent(
        key_id=key_id,
        event=event,
        actor=actor.label,
        client_address=actor.client_address,
        detail=detail or None,
    )
    session.add(row)
    return row


def get_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise KeyNotFoundError(key_id)
    return record


def _holds_admin_write(record: ApiKey, now: datetime) -> bool:
    # A key in its rotation grace period will stop working on its own: it is no safeguard.
    return (
        ADMIN_WRITE in record.scopes
        and key_status(record, now) == "active"
        and record.grace_until is None
    )


def _refuse_admin_lockout(session: Session, record: ApiKey, action: str) -> None:
    now = datetime.now(UTC)
    if not _holds_admin_write(record, now):
        return
    # Locking every unrevoked key serialises two admins removing the last two admin keys.
    others = session.scalars(
        select(ApiKey).where(ApiKey.revoked_at.is_(None), ApiKey.id != record.id).with_for_update()
    )
    if not any(_holds_admin_write(other, now) for other in others):
        raise KeyConflictError(
            f"Cannot {action} the last active key with the '{ADMIN_WRITE}' scope; "
            "create another admin key first"
        )


def create_key(
    session: Session,
    actor: Actor,
    *,
    name: str,
    scopes: list[str],
    description: str | None,
    expires_in_days: int | None,
) -> tuple[ApiKey, str]:
    """Create a key and its `created` event; returns the record and the plaintext."""
    record, plaintext = create_api_key(
        session,
        name=name,
        scopes=scopes,
        description=description,
        expires_in_days=expires_in_days,
        created_by=actor.label,
    )
    record_event(session, record.id, "created", actor, scopes=record.scopes)
    return record, plaintext


def revoke_key(session: Session, key_id: uuid.UUID, actor: Actor, reason: str) -> ApiKey:
    """Soft-revoke: the key stops working within the key cache's lifetime (≤ 5 s)."""
    record = get_key(session, key_id)
    if record.revoked_at is not None:
        raise KeyConflictError(f"API key {key_id} is already revoked")
    _refuse_admin_lockout(session, record, "revoke")
    record.revoked_at = datetime.now(UTC)
    record.revoked_by = actor.label
    record.revoked_reason = reason
    record_event(session, key_id, "revoked", actor, reason=reason)
    return record


def delete_key(session: Session, key_id: uuid.UUID, actor: Actor) -> None:
    """Delete for good; the audit trail keeps the `deleted` event."""
    record = get_key(session, key_id)
    _refuse_admin_lockout(session, record, "delete")
    record_event(session, key_id, "deleted", actor, name=record.name, key_prefix=record.key_prefix)
    session.execute(delete(ApiKeyHourlyUsage).where(ApiKeyHourlyUsage.key_id == key_id))
    session.delete(record)


def rotate_key(
    session: Session, key_id: uuid.UUID, actor: Actor, grace: timedelta = DEFAULT_GRACE
) -> tuple[ApiKey, str, ApiKey]:
    """Issue a replacement with the same name, scopes and lifetime; the old key works for `grace`.

    Returns (new record, new plaintext, old record).
    """
    old = get_key(session, key_id)
    if old.replaced_by_id is not None:
        raise KeyConflictError(
            f"API key {key_id} was already rotated; rotate its replacement {old.replaced_by_id}"
        )
    status = key_status(old)
    if status != "active":
        article = "an" if status == "expired" else "a"
        raise KeyConflictError(f"Cannot rotate {article} {status} key; create a new key instead")
    now = datetime.now(UTC)
    lifetime_days = None
    if old.expires_at is not None:
        lifetime_days = max(1, round((old.expires_at - old.created_at) / timedelta(days=1)))
    new, plaintext = create_api_key(
        session,
        name=old.name,
        scopes=list(old.scopes),
        description=old.description,
        expires_in_days=lifetime_days,
        created_by=actor.label,
    )
    new.rotated_from_id = old.id
    old.replaced_by_id = new.id
    old.grace_until = now + grace
    record_event(session, new.id, "created", actor, scopes=new.scopes, rotated_from=str(old.id))
    record_event(
        session,
        old.id,
        "rotated",
        actor,
        replaced_by=str(new.id),
        grace_until=old.grace_until.isoformat(),
    )
    return new, plaintext, old


def list_events(
    session: Session, key_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ApiKeyEvent], int]:
    """A key's audit trail, newest first, and its total length."""
    get_key(session, key_id)
    where = ApiKeyEvent.key_id == key_id
    count = session.scalar(select(func.count()).select_from(ApiKeyEvent).where(where)) or 0
    rows = session.scalars(
        select(ApiKeyEvent)
        .where(where)
        .order_by(ApiKeyEvent.occurred_at.desc(), ApiKeyEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), count


@dataclass
class KeyStats:
    """The numbers of the panel's header."""

    total: int
    active: int
    revoked: int
    expired: int
    expiring_within_7_days: int
    requests_last_24h: int
    most_used: list[ApiKey]
    recently_created: list[ApiKey]


def _ends_at(record: ApiKey) -> datetime | None:
    """When the key stops working on its own: expiry or the end of its rotation grace."""
    return min(filter(None, (record.expires_at, record.grace_until)), default=None)


def key_stats(session: Session, now: datetime | None = None) -> KeyStats:
    """Totals by status, keys expiring within 7 days, the most used and newest keys.

    `requests_last_24h` sums the current hour and the 23 before it.
    """
    now = now or datetime.now(UTC)
    # Key tables hold hundreds of rows, not millions: one read and Python beats per-status SQL
    # that would have to repeat the status rules (expiry, grace) in two dialects.
    keys = list(session.scalars(select(ApiKey)))
    statuses = [key_status(record, now) for record in keys]
    active = [record for record, status in zip(keys, statuses, strict=True) if status == "active"]
    soon = now + EXPIRING_SOON
    expiring = [record for record in active if (end := _ends_at(record)) and end <= soon]
    requests = session.scalar(
        select(func.coalesce(func.sum(ApiKeyHourlyUsage.uses), 0)).where(
            ApiKeyHourlyUsage.hour >= hour_of(now) - timedelta(hours=23)
        )
    )
    return KeyStats(
        total=len(keys),
        active=len(active),
        revoked=statuses.count("revoked"),
        expired=statuses.count("expired"),
        expiring_within_7_days=len(expiring),
        requests_last_24h=int(requests or 0),
        most_used=sorted(
            (record for record in keys if record.usage_count),
            key=lambda record: record.usage_count,
            reverse=True,
        )[:STATS_TOP],
        recently_created=sorted(keys, key=lambda record: record.created_at, reverse=True)[
            :STATS_TOP
        ],
    )
