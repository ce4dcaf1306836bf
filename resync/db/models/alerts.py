"""Alerts raised by the rules and reviewers' verdicts on them."""

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, BigId, UtcDateTime, utcnow


class Alert(Base):
    """One alert per FTA × rule while open; resolved when the FTA is healthy again."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open",
            "workstation",
            "rule",
            unique=True,
            postgresql_where=text("resolved_at IS NULL"),
            sqlite_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workstation: Mapped[str] = mapped_column(String(16), ForeignKey("workstations.name"))
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AlertReview(Base):
    """A reviewer's verdict on one alert: `confirmed` (a real problem) or `false_alarm`."""

    __tablename__ = "alert_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(
        BigId,
        ForeignKey("alerts.id", ondelete="CASCADE"),
        unique=True,
    )
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
