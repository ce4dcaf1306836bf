"""Predictive-maintenance runs, findings, review decisions and executed actions."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, BigId, JsonDocument, UtcDateTime, utcnow


class MaintenanceRun(Base):
    """One predictive-maintenance run: its LangGraph thread and the Prefect flow run driving it.

    `status` is running → awaiting_review → finished (or failed). `heartbeat_at` is the last
    sign of life of the process driving it, written every few seconds, also while it waits for a
    review. An unfinished run whose heartbeat went stale (its process died) is continued from its
    checkpoint by the next flow run; `flow_run_id` then names the flow run that took it over;
    while the heartbeat is fresh, a new flow run leaves it alone. `findings_at` is when its
    findings were stored (the API reads the latest such run); `insight` is the briefing for the
    reviewer, written by `analyst`.
    """

    __tablename__ = "maintenance_runs"
    __table_args__ = (Index("ix_maintenance_runs_status", "status", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    thread_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    findings_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    insight: Mapped[str] = mapped_column(Text, default="")
    analyst: Mapped[str] = mapped_column(String(100), default="deterministic")
    analyst_note: Mapped[str | None] = mapped_column(Text)


class MaintenanceFinding(Base):
    """A predicted failure of one FTA × kind in one run, with its evidence and proposed actions.

    `actions` holds the proposed actions as JSON (action_id, command, arguments, description,
    auto_approvable); their decisions are rows of `maintenance_reviews`. `review_status` is
    pending, approved, rejected, deferred, partly_approved, auto_approved or no_actions.
    `outcome` is resolved (an action ran and the next samples show it helped) or action_failed
    (every action that ran failed or did not help: the reviewer is notified, `notified_at`).
    """

    __tablename__ = "maintenance_findings"
    __table_args__ = (
        UniqueConstraint("run_id", "workstation", "kind", name="uq_maintenance_findings_kind"),
        Index("ix_maintenance_findings_workstation", "workstation", "kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maintenance_runs.id", ondelete="CASCADE")
    )
    workstation: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(64))
    predicted_failure_date: Mapped[date | None] = mapped_column(Date)
    confidence: Mapped[float] = mapped_column(Float)
    evidence_summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    review_status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MaintenanceReview(Base):
    """The decision on one proposed action of a run: who decided, when, and how.

    `decision` is approved, rejected or deferred (the reviewer could not decide: not run, asked
    again by the next run). `source` is reviewer (someone answered in the Prefect UI),
    timeout_policy (nobody answered in time: rejected) or auto_approved (an action the review
    policy lets run without a person). `decided_at` is when the run wrote the decision;
    `submitted_at` when the reviewer submitted the form, and `flow_run_id` the Prefect flow run
    whose form received the answer (or whose review timed out).
    """

    __tablename__ = "maintenance_reviews"
    __table_args__ = (
        UniqueConstraint("run_id", "action_id", name="uq_maintenance_reviews_action"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maintenance_runs.id", ondelete="CASCADE")
    )
    action_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class MaintenanceActionExecution(Base):
    """The audit of one approved action: the exact argv, dry run or not, the outcome.

    A real run is an ad hoc job on the FTA, submitted through the master as `job_name` (derived
    from the run and the action). The row is written before the job is submitted, so a run
    continued after a crash finds a started row, looks the job up by that name in the plan and
    submits it only when the master has none and no earlier attempt recorded its id: never
    twice. `job_status` is the job's last status (SUCC, ABEND, …) or dry_run, refused,
    unavailable, timed_out or lost (a recorded job a new plan dropped); `exit_code` its
    return code; `output` its joblog (redacted, capped) or why it did not run. `effect` is what
    the FTA's next samples showed (helped or no_effect, on `effect_metric`, before → after).
    """

    __tablename__ = "maintenance_action_executions"
    __table_args__ = (
        UniqueConstraint("run_id", "action_id", name="uq_maintenance_action_executions_action"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("maintenance_runs.id", ondelete="CASCADE")
    )
    action_id: Mapped[str] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(64))
    argv: Mapped[list[str]] = mapped_column(JsonDocument)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str | None] = mapped_column(Text)
    job_name: Mapped[str | None] = mapped_column(String(40))
    job_id: Mapped[str | None] = mapped_column(String(200))
    job_status: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    effect: Mapped[str | None] = mapped_column(String(16))
    effect_metric: Mapped[str | None] = mapped_column(String(64))
    effect_before: Mapped[float | None] = mapped_column(Float)
    effect_after: Mapped[float | None] = mapped_column(Float)
    effect_observed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
