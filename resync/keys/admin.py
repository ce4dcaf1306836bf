"""Key administration: create, revoke, rotate and delete keys, each with its audit event, and
the lock-out guard that keeps an admin key; a key's status."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from resync.db.models import ApiKey, ApiKeyEvent
from resync.keys.format import DISPLAY_PREFIX_CHARS, expand_scopes, generate_key, hash_key
from resync.keys.store import (
    add_event,
    add_key,
    delete_key_record,
    find_key,
    key_events,
    lock_other_unrevoked_keys,
)

ADMIN_WRITE = "admin:write"
DEFAULT_GRACE = timedelta(hours=24)


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
    return add_event(session, row)


def key_status(record: ApiKey, now: datetime | None = None) -> str:
    """`active`, `revoked` or `expired` (a rotated key expires when its grace period ends)."""
    now = now or datetime.now(UTC)
    if record.revoked_at is not None:
        return "revoked"
    if record.expires_at is not None and record.expires_at <= now:
        return "expired"
    if record.grace_until is not None and record.grace_until <= now:
        return "expired"
    return "active"


def get_key(session: Session, key_id: uuid.UUID) -> ApiKey:
    record = find_key(session, key_id)
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


def _valid_until(record: ApiKey) -> datetime | None:
    """When the key stops working on its own; None if it never does."""
    ends = [end for end in (record.expires_at, record.grace_until) if end is not None]
    return min(ends, default=None)


def _outlasts(other: ApiKey, record: ApiKey) -> bool:
    other_end, end = _valid_until(other), _valid_until(record)
    return other_end is None or (end is not None and other_end >= end)


def _refuse_admin_lockout(session: Session, record: ApiKey, action: str) -> None:
    now = datetime.now(UTC)
    if not _holds_admin_write(record, now):
        return
    # Locking every unrevoked key serialises two admins removing the last two admin keys.
    others = lock_other_unrevoked_keys(session, record.id)
    # An admin key that expires sooner only postpones the lock-out: it does not count.
    if not any(_holds_admin_write(other, now) and _outlasts(other, record) for other in others):
        raise KeyConflictError(
            f"Cannot {action} this key: no other active key with the '{ADMIN_WRITE}' scope "
            "stays valid as long as it does; create another admin key first"
        )


def create_key(
    session: Session,
    actor: Actor,
    *,
    name: str,
    scopes: list[str],
    description: str | None = None,
    expires_in_days: int | None = None,
    rotated_from_id: uuid.UUID | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key (its hash and display prefix only) with its `created` event; returns
    the record and the plaintext, which is never stored."""
    plaintext = generate_key()
    expires_at = None
    if expires_in_days is not None:
        if expires_in_days < 1:
            raise ValueError("expires_in_days must be at least 1")
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    record = ApiKey(
        name=name,
        description=description,
        key_prefix=plaintext[:DISPLAY_PREFIX_CHARS],
        key_hash=hash_key(plaintext),
        scopes=expand_scopes(scopes),
        expires_at=expires_at,
        created_by=actor.label,
        rotated_from_id=rotated_from_id,
    )
    add_key(session, record)
    detail: dict[str, Any] = {"scopes": record.scopes}
    if rotated_from_id is not None:
        detail["rotated_from"] = str(rotated_from_id)
    record_event(session, record.id, "created", actor, **detail)
    return record, plaintext


def revoke_key(
    session: Session, key_id: uuid.UUID, actor: Actor, reason: str, *, keep_an_admin: bool = True
) -> ApiKey:
    """Soft-revoke: the key stops working within the key cache's lifetime (≤ 5 s).

    `keep_an_admin=False` lets the last admin key go: for the command line, which can always
    create a new one (a leaked last admin key must be revocable at once).
    """
    record = get_key(session, key_id)
    if record.revoked_at is not None:
        raise KeyConflictError(f"API key {key_id} is already revoked")
    if keep_an_admin:
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
    delete_key_record(session, record)


def rotate_key(
    session: Session, key_id: uuid.UUID, actor: Actor, grace: timedelta = DEFAULT_GRACE
) -> tuple[ApiKey, str, ApiKey]:
    """Issue a replacement with the same name, scopes, FTAs and lifetime; the old key works for
    `grace`.

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
    new, plaintext = create_key(
        session,
        actor,
        name=old.name,
        scopes=list(old.scopes),
        description=old.description,
        expires_in_days=lifetime_days,
        rotated_from_id=old.id,
    )
    new.workstations = old.workstations
    old.replaced_by_id = new.id
    old.grace_until = now + grace
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
    return key_events(session, key_id, limit, offset)
