"""Auto-learning: judged outcomes and the versioned learned changes."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, BigId, JsonDocument, UtcDateTime, utcnow


class LearningOutcome(Base):
    """What happened to one past prediction whose date has passed: did the failure happen by then.

    `source` is maintenance (a finding; `subject_id` its id) or capacity (a forecast's saturation
    date; `subject_id` the forecast row). `observed_peak` is the highest hourly mean of the
    resource between the prediction and its date, `threshold` the level it had to reach.
    """

    __tablename__ = "learning_outcomes"
    __table_args__ = (
        UniqueConstraint("source", "subject_id", name="uq_learning_outcomes_subject"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    workstation: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(64))
    predicted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confidence: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    observed_peak: Mapped[float | None] = mapped_column(Float)
    happened: Mapped[bool] = mapped_column(Boolean)
    judged_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LearnedChange(Base):
    """One versioned change proposed by auto-learning, applied or not, and reversible.

    `change_type` is calibration (`target` a maintenance kind or "all"), alert_rule (`target`
    "rule/WORKSTATION"), forecast_model (`target` "WORKSTATION/resource"), action_policy
    (`target` "kind/command") or capacity_calibration (`target` "resource_saturation" or "all").
    The parameters in force for a target are those of its latest applied change not reverted.
    Metrics are on held-out history (`metric` names the score; lower is better unless
    `higher_is_better`).
    """

    __tablename__ = "learned_changes"
    __table_args__ = (Index("ix_learned_changes_target", "change_type", "target", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    change_type: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(120))
    parameters_before: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    parameters_after: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    metric: Mapped[str] = mapped_column(String(40))
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=False)
    metric_before: Mapped[float | None] = mapped_column(Float)
    metric_after: Mapped[float | None] = mapped_column(Float)
    held_out_size: Mapped[int] = mapped_column(Integer)
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reverted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
