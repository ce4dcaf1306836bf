"""Application tables: API keys and their audit trail, metrics inbox and history, alerts."""

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT identity on PostgreSQL; SQLite only auto-increments an INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")
JsonDocument = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JsonText(TypeDecorator[dict[str, Any]]):
    """A JSON document kept as the text it arrived in (never parsed by the database)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | dict[str, Any] | None, dialect: Any) -> str | None:
        return value if value is None or isinstance(value, str) else json.dumps(value)

    def process_result_value(self, value: str | None, dialect: Any) -> dict[str, Any] | None:
        return None if value is None else json.loads(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


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


class SampleColumns:
    """One FTA sample as typed columns: every metric of the payload plus the optional TWS facts."""

    workstation: Mapped[str] = mapped_column(String(16))
    sample_time: Mapped[datetime] = mapped_column(UtcDateTime)
    cpu_percent: Mapped[float] = mapped_column(Float)
    memory_percent: Mapped[float] = mapped_column(Float)
    disk_percent: Mapped[float] = mapped_column(Float)
    latency_min_ms: Mapped[float | None] = mapped_column(Float)
    latency_avg_ms: Mapped[float | None] = mapped_column(Float)
    latency_max_ms: Mapped[float | None] = mapped_column(Float)
    packet_loss_percent: Mapped[float] = mapped_column(Float)
    tcp_connectivity: Mapped[int] = mapped_column(SmallInteger)
    disk_io_read_kbs: Mapped[float] = mapped_column(Float)
    disk_io_write_kbs: Mapped[float] = mapped_column(Float)
    process_count: Mapped[int] = mapped_column(Integer)
    load_avg_1: Mapped[float] = mapped_column(Float)
    load_avg_5: Mapped[float] = mapped_column(Float)
    load_avg_15: Mapped[float] = mapped_column(Float)
    network_rx_kbs: Mapped[float] = mapped_column(Float)
    network_tx_kbs: Mapped[float] = mapped_column(Float)
    latency_method: Mapped[str | None] = mapped_column(String(8))
    stdlist_mb: Mapped[float | None] = mapped_column(Float)
    message_files: Mapped[dict[str, float] | None] = mapped_column(JsonDocument)


class MetricsInbox(SampleColumns, Base):
    """Accepted payloads as received (raw JSON) and as typed columns, in arrival (id) order.

    Ingest batches claim ranges of ids; rows are never updated except to set aside one that
    fails the history schema (`error`).
    """

    __tablename__ = "metrics_inbox"
    __table_args__ = (
        UniqueConstraint("workstation", "sample_time", name="uq_metrics_inbox_sample"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonText)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    error: Mapped[str | None] = mapped_column(Text)


class IngestBatch(Base):
    """A claimed range of inbox ids: claimed → loaded; a claim left by a dead run is taken over."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    first_inbox_id: Mapped[int] = mapped_column(BigInteger)
    last_inbox_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    loaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_rows: Mapped[int] = mapped_column(Integer, default=0)
    rejected_rows: Mapped[int] = mapped_column(Integer, default=0)
    loaded_rows: Mapped[int] = mapped_column(Integer, default=0)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))


class WorkstationMetrics(SampleColumns, Base):
    """One row per FTA sample, every metric of the payload as a column.

    The key (workstation, sample_time) is the table's only index: loads stay cheap, and every
    read is per FTA over a time range.
    """

    __tablename__ = "workstation_metrics_history"

    workstation: Mapped[str] = mapped_column(String(16), primary_key=True)
    sample_time: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    inbox_id: Mapped[int] = mapped_column(BigInteger)


class Workstation(Base):
    """Every FTA that has reported, with the latest host and TWS facts it sent."""

    __tablename__ = "workstations"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sample_at: Mapped[datetime] = mapped_column(UtcDateTime)
    latency_method: Mapped[str | None] = mapped_column(String(8))
    host: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    tws: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


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


class CapacityForecastRun(Base):
    """One capacity-forecast run: its window, how many FTAs it covered and its insight paragraph.

    `analyst` is "deterministic" or the Claude model that wrote `insight`; `analyst_note` says
    why the deterministic analyst was used when it was.
    """

    __tablename__ = "capacity_forecast_runs"
    __table_args__ = (Index("ix_capacity_forecast_runs_started", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    history_days: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    workstation_count: Mapped[int] = mapped_column(Integer, default=0)
    analyst: Mapped[str] = mapped_column(String(100), default="deterministic")
    insight: Mapped[str] = mapped_column(Text, default="")
    analyst_note: Mapped[str | None] = mapped_column(Text)


class CapacityForecast(Base):
    """The forecast of one FTA × resource in one run, with its saturation dates and sizing.

    `series` (hourly history and the forecast with its intervals) is kept only where saturation
    is expected or likely within the horizon, for the report's charts.
    """

    __tablename__ = "capacity_forecasts"
    __table_args__ = (
        UniqueConstraint("run_id", "workstation", "resource", name="uq_capacity_forecasts_series"),
        Index("ix_capacity_forecasts_workstation", "workstation", "resource"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("capacity_forecast_runs.id", ondelete="CASCADE")
    )
    workstation: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[float | None] = mapped_column(Float)
    current_value: Mapped[float | None] = mapped_column(Float)
    trend_per_day: Mapped[float | None] = mapped_column(Float)
    r_squared: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(40))
    mase: Mapped[float | None] = mapped_column(Float)
    saturation_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    saturation_date_earliest: Mapped[datetime | None] = mapped_column(UtcDateTime)
    order_by_date: Mapped[datetime | None] = mapped_column(UtcDateTime)
    days_to_saturation: Mapped[float | None] = mapped_column(Float)
    # The calibrated probability of a crossing by the expected (else earliest likely) date.
    saturation_probability: Mapped[float | None] = mapped_column(Float)
    recommendation: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    series: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MaintenanceRun(Base):
    """One predictive-maintenance run: its LangGraph thread and the Prefect flow run driving it.

    `status` is running → awaiting_review → finished (or failed). An unfinished run is continued
    from its checkpoint by the next flow run; `flow_run_id` then names the flow run that took it
    over. `findings_at` is when its findings were stored (the API reads the latest such run);
    `insight` is the briefing for the reviewer, written by `analyst`.
    """

    __tablename__ = "maintenance_runs"
    __table_args__ = (Index("ix_maintenance_runs_status", "status", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    thread_id: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    findings_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    insight: Mapped[str] = mapped_column(Text, default="")
    analyst: Mapped[str] = mapped_column(String(100), default="deterministic")
    analyst_note: Mapped[str | None] = mapped_column(Text)


class MaintenanceFinding(Base):
    """A predicted failure of one FTA × kind in one run, with its evidence and proposed actions.

    `actions` holds the proposed actions as JSON (action_id, command, arguments, description,
    auto_approvable); their decisions are rows of `maintenance_reviews`. `review_status` is
    pending, approved, rejected, partly_approved, auto_approved or no_actions.
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


class MaintenanceReview(Base):
    """The decision on one proposed action of a run: who decided, when, and how.

    `source` is reviewer (someone answered in the Prefect UI), timeout_policy (nobody answered
    in time: rejected) or auto_approved (confident finding, auto-approvable actions only).
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


class MaintenanceActionExecution(Base):
    """The audit of one approved action: the exact argv, dry run or not, the outcome.

    A row is written before the command starts, so a crash leaves a started row without an exit
    code and the action is never run a second time.
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


class FailureAnalysis(Base):
    """The root-cause card of one failed job run, written by the decision-support flow.

    `failure_class` is proven by `evidence` (joblog lines) or is `unknown`; `method` says how it
    was decided (signature, analyst or none). `joblog` is the redacted, size-capped joblog that
    similar-case search compares. Re-analysing a run replaces its card.
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
