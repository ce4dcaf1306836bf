"""API keys, their audit trail and hourly usage."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, BigId, UtcDateTime, utcnow


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    usage_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Rotation: the old key names its replacement and works until grace_until; the new key
    # names the key it replaced. Plain ids, not foreign keys: either may be deleted for good.
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    grace_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rotated_from_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The FTAs whose samples the key may post (upper-case names); None: any workstation.
    workstations: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))


class ApiKeyEvent(Base):
    """The audit trail of a key: created, revoked, rotated, deleted, first use from an address.

    `key_id` is not a foreign key so that the trail outlives a permanently deleted key.
    """

    __tablename__ = "api_key_events"
    __table_args__ = (Index("ix_api_key_events_key", "key_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(120))
    client_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ApiKeyHourlyUsage(Base):
    """Requests per key per hour, written by the batched usage recorder (for the 24 h total)."""

    __tablename__ = "api_key_hourly_usage"

    key_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    uses: Mapped[int] = mapped_column(BigInteger, default=0)
