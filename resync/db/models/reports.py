"""Rendered capacity reports."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, JsonDocument, UtcDateTime, utcnow


class Report(Base):
    """A rendered report (HTML and PDF kept in the database, so every backend and restart has it).

    `kind` is capacity (from a capacity forecast run) or estate (open alerts, no forecast yet).
    `capacity_run_id` is a plain id, not a foreign key: a report outlives a pruned forecast run.
    """

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    capacity_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    html: Mapped[str] = mapped_column(Text)
    html_bytes: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_bytes: Mapped[int] = mapped_column(Integer)
