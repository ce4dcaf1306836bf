"""The FTA samples: the metrics inbox, ingest batches, history and the FTAs that reported."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from resync.db.models.base import Base, BigId, JsonDocument, JsonText, UtcDateTime, utcnow


class SampleColumns:
    """One FTA sample as typed columns: every metric of the payload plus the optional TWS facts.

    A reading the FTA could not take is null (see Metrics in resync/ingest/payload.py).
    """

    workstation: Mapped[str] = mapped_column(String(16))
    sample_time: Mapped[datetime] = mapped_column(UtcDateTime)
    cpu_percent: Mapped[float | None] = mapped_column(Float)
    memory_percent: Mapped[float | None] = mapped_column(Float)
    disk_percent: Mapped[float | None] = mapped_column(Float)
    latency_min_ms: Mapped[float | None] = mapped_column(Float)
    latency_avg_ms: Mapped[float | None] = mapped_column(Float)
    latency_max_ms: Mapped[float | None] = mapped_column(Float)
    packet_loss_percent: Mapped[float] = mapped_column(Float)
    tcp_connectivity: Mapped[int] = mapped_column(SmallInteger)
    disk_io_read_kbs: Mapped[float | None] = mapped_column(Float)
    disk_io_write_kbs: Mapped[float | None] = mapped_column(Float)
    process_count: Mapped[int | None] = mapped_column(Integer)
    load_avg_1: Mapped[float | None] = mapped_column(Float)
    load_avg_5: Mapped[float | None] = mapped_column(Float)
    load_avg_15: Mapped[float | None] = mapped_column(Float)
    network_rx_kbs: Mapped[float | None] = mapped_column(Float)
    network_tx_kbs: Mapped[float | None] = mapped_column(Float)
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
    read is per FTA over a time range, or of the whole estate over a time range (the BRIN
    index). On PostgreSQL it is partitioned by month (migration 0018).
    Rows older than the raw-history window are summarised into WorkstationMetricsHourly.
    """

    __tablename__ = "workstation_metrics_history"
    __table_args__ = (
        # BRIN: rows arrive in time order, so a few pages of index find a day's rows.
        Index("ix_workstation_metrics_history_time", "sample_time", postgresql_using="brin"),
        {"postgresql_partition_by": "RANGE (sample_time)"},
    )

    workstation: Mapped[str] = mapped_column(String(16), primary_key=True)
    sample_time: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    inbox_id: Mapped[int] = mapped_column(BigInteger)


# Every numeric reading of a sample, summarised per FTA and hour by these statistics.
HOURLY_METRICS = tuple(
    name
    for name, attribute in vars(SampleColumns).items()
    if isinstance(attribute, MappedColumn) and isinstance(attribute.column.type, Float | Integer)
)
HOURLY_STATISTICS = ("mean", "max", "p95")


class WorkstationMetricsHourly(Base):
    """One row per FTA and hour: the hour's sample count and each metric's mean, max and p95
    (null when no sample of the hour had the reading); kept for the retention period."""

    __table__ = Table(
        "workstation_metrics_hourly",
        Base.metadata,
        Column("workstation", String(16), primary_key=True),
        Column("hour", UtcDateTime, primary_key=True),
        Column("samples", Integer, nullable=False),
        *(
            Column(f"{metric}_{statistic}", Float)
            for metric in HOURLY_METRICS
            for statistic in HOURLY_STATISTICS
        ),
        Index("ix_workstation_metrics_hourly_hour", "hour", postgresql_using="brin"),
        postgresql_partition_by="RANGE (hour)",
    )


class Workstation(Base):
    """Every FTA that has reported, with the latest host, TWS and master-link facts it sent."""

    __tablename__ = "workstations"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sample_at: Mapped[datetime] = mapped_column(UtcDateTime)
    latency_method: Mapped[str | None] = mapped_column(String(8))
    host: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    tws: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    master_link: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
