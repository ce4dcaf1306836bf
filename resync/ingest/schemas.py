"""Schemas of the metrics and workstations API: ingest answers, an FTA's samples, the estate."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from resync.alerts.schemas import OpenAlertPublic
from resync.db.models import WorkstationMetrics
from resync.ingest.payload import BATCH_MAX_ITEMS, METRIC_NAMES, MetricsPayload

# Request bodies, validated straight from the raw JSON (api/json_body.py).
SamplePayload = TypeAdapter(MetricsPayload)
PayloadBatch = TypeAdapter(
    Annotated[list[MetricsPayload], Field(min_length=1, max_length=BATCH_MAX_ITEMS)]
)


class MetricsAccepted(BaseModel):
    id: int
    workstation: str
    timestamp: datetime
    duplicate: bool
    ignored: list[str]


class IgnoredFields(BaseModel):
    index: int
    fields: list[str]


class BatchAccepted(BaseModel):
    accepted: int
    duplicates: int
    ids: list[int]
    ignored: list[IgnoredFields]


class MetricsSample(BaseModel):
    """One stored sample; a reading the FTA could not take is null."""

    workstation: str
    timestamp: datetime
    cpu_percent: float | None
    memory_percent: float | None
    disk_percent: float | None
    latency_min_ms: float | None
    latency_avg_ms: float | None
    latency_max_ms: float | None
    packet_loss_percent: float
    tcp_connectivity: int
    disk_io_read_kbs: float | None
    disk_io_write_kbs: float | None
    process_count: int | None
    load_avg_1: float | None
    load_avg_5: float | None
    load_avg_15: float | None
    network_rx_kbs: float | None
    network_tx_kbs: float | None
    latency_method: str | None
    stdlist_mb: float | None
    message_files: dict[str, float] | None

    @classmethod
    def of(cls, row: WorkstationMetrics) -> "MetricsSample":
        fields = {name: getattr(row, name) for name in METRIC_NAMES}
        return cls(
            workstation=row.workstation,
            timestamp=row.sample_time,
            latency_method=row.latency_method,
            stdlist_mb=row.stdlist_mb,
            message_files=row.message_files,
            **fields,
        )


class MetricsSamplesPublic(BaseModel):
    data: list[MetricsSample]
    count: int


class WorkstationPublic(BaseModel):
    name: str
    status: Literal["ok", "warning", "critical", "silent"]
    first_seen_at: datetime
    last_sample_at: datetime
    last_sample: MetricsSample | None
    host: dict[str, Any] | None
    tws: dict[str, Any] | None
    master_link: dict[str, Any] | None
    open_alerts: list[OpenAlertPublic]


class WorkstationsPublic(BaseModel):
    data: list[WorkstationPublic]
    count: int
