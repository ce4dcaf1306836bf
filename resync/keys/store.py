"""Key records and their audit trail in the database: every query of the key admin and the key
cache. Usage counters are written by `usage.py`."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, String, cast, delete, func, select
from sqlalchemy.orm import Session

from resync.db.models import ApiKey, ApiKeyEvent, ApiKeyHourlyUsage


def key_by_hash(connection: Connection, key_hash: str) -> Row[Any] | None:
    """What authentication needs of the key with `key_hash`, or None when there is none."""
    return connection.execute(
        select(
            ApiKey.id,
            ApiKey.name,
            ApiKey.key_prefix,
            ApiKey.scopes,
            ApiKey.expires_at,
            ApiKey.revoked_at,
            ApiKey.grace_until,
            ApiKey.workstations,
        ).where(ApiKey.key_hash == key_hash)
    ).one_or_none()


def find_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def add_key(session: Session, record: ApiKey) -> ApiKey:
    """Add a new key record; flushed, so its id and defaults are set."""
    session.add(record)
    session.flush()
    return record


def add_event(session: Session, event: ApiKeyEvent) -> ApiKeyEvent:
    """Add one audit row (committed with the change it describes)."""
    session.add(event)
    return event


def lock_other_unrevoked_keys(session: Session, key_id: uuid.UUID) -> list[ApiKey]:
    """Every unrevoked key but `key_id`, locked until the transaction ends (on PostgreSQL)."""
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.revoked_at.is_(None), ApiKey.id != key_id).with_for_update()
        )
    )


def delete_key_record(session: Session, record: ApiKey) -> None:
    """Delete the key and its hourly usage; its audit rows stay."""
    session.execute(delete(ApiKeyHourlyUsage).where(ApiKeyHourlyUsage.key_id == record.id))
    session.delete(record)


def find_keys(
    session: Session,
    *,
    include_revoked: bool = False,
    name: str | None = None,
    scope: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[ApiKey], int]:
    """Keys newest first, with a part of their name or a scope, and how many match."""
    query = select(ApiKey)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    if name:
        query = query.where(func.lower(ApiKey.name).contains(name.lower(), autoescape=True))
    if scope:
        # Scopes are a JSON list of fixed words without quotes: the quoted word is exact.
        query = query.where(cast(ApiKey.scopes, String).contains(f'"{scope}"', autoescape=True))
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    records = session.scalars(
        query.order_by(ApiKey.created_at.desc(), ApiKey.id).limit(limit).offset(offset)
    )
    return list(records), count


def all_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey)))


def key_events(
    session: Session, key_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[ApiKeyEvent], int]:
    """A key's audit trail, newest first, and its total length."""
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


def requests_since(session: Session, hour: datetime) -> int:
    """Uses of every key counted in `hour` and the hours after it."""
    requests = session.scalar(
        select(func.coalesce(func.sum(ApiKeyHourlyUsage.uses), 0)).where(
            ApiKeyHourlyUsage.hour >= hour
        )
    )
    return int(requests or 0)
