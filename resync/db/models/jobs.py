"""Job runs from the master, and the root-cause cards and resolutions of failed ones."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from resync.db.models.base import Base, BigId, JsonDocument, UtcDateTime, utcnow


class JobExecution(Base):
    """One run of a TWS job, from the master's plan (REST sync) or pushed by the master.

    `run_id` is the plan's job-run id; a run is stored once and never updated by a re-send.
    `duration` is in seconds; `joblog` keeps only the end of long logs (`joblog_max_bytes`).
    """

    __tablename__ = "job_execution_history"
    __table_args__ = (
        Index("ix_job_execution_history_workstation", "workstation", "started_at"),
        Index("ix_job_execution_history_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workstation: Mapped[str] = mapped_column(String(16))
    job_stream: Mapped[str] = mapped_column(String(16))
    job_name: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(8))
    return_code: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration: Mapped[float | None] = mapped_column(Float)
    joblog: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FailureAnalysis(Base):
    """The root-cause card of one failed job run, written by the decision-support flow.

    `failure_class` is proven by `evidence` (joblog lines, each with its source) or is
    `unknown`; `method` says how it was decided (catalogue, model, analyst or none). `joblog` is
    the redacted, size-capped joblog that similar-case search compares. Re-analysing a run
    replaces its card.
    """

    __tablename__ = "failure_analyses"
    __table_args__ = (
        Index("ix_failure_analyses_job", "workstation", "job_stream", "job_name"),
        Index("ix_failure_analyses_failed_at", "failed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("job_execution_history.run_id", ondelete="CASCADE"), unique=True
    )
    workstation: Mapped[str] = mapped_column(String(16))
    job_stream: Mapped[str] = mapped_column(String(16))
    job_name: Mapped[str] = mapped_column(String(40))
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    return_code: Mapped[int | None] = mapped_column(Integer)
    failure_class: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    resource_state: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    run_history: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    similar_cases: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    suggested_fix: Mapped[str] = mapped_column(Text)
    joblog: Mapped[str] = mapped_column(Text)
    analyst: Mapped[str] = mapped_column(String(100), default="deterministic")
    analyst_note: Mapped[str | None] = mapped_column(Text)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FailureResolution(Base):
    """What really fixed a failed run, recorded by an operator; the latest one counts.

    `failure_class` is the operator's confirmed class when given. Similar-case search shows the
    latest resolution of each past failure.
    """

    __tablename__ = "failure_resolutions"
    __table_args__ = (Index("ix_failure_resolutions_run", "run_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("failure_analyses.run_id", ondelete="CASCADE")
    )
    resolution: Mapped[str] = mapped_column(Text)
    failure_class: Mapped[str | None] = mapped_column(String(32))
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
