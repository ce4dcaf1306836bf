"""FTA metrics: ingest of single samples and spool replays, and the history of one workstation."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter

from api.deps import IngestKey, MetricsReadKey, SessionDep
from api.json_body import component_ref, json_body, request_body, validate_body
from resync.db.models import WorkstationMetrics
from resync.ingest.batch import SampleBatch, batch_from_payloads, read_sample_batch
from resync.ingest.estate import read_samples
from resync.ingest.inbox import inbox_frame, inbox_values
from resync.ingest.payload import BATCH_MAX_ITEMS, METRIC_NAMES, WORKSTATION_PATTERN, MetricsPayload

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


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
    workstation: str
    timestamp: datetime
    cpu_percent: float
    memory_percent: float
    disk_percent: float
    latency_min_ms: float | None
    latency_avg_ms: float | None
    latency_max_ms: float | None
    packet_loss_percent: float
    tcp_connectivity: int
    disk_io_read_kbs: float
    disk_io_write_kbs: float
    process_count: int
    load_avg_1: float
    load_avg_5: float
    load_avg_15: float
    network_rx_kbs: float
    network_tx_kbs: float
    latency_method: str | None
    stdlist_mb: float | None
    message_files: dict[str, float] | None


class MetricsSamplesPublic(BaseModel):
    data: list[MetricsSample]
    count: int


SamplePayload = TypeAdapter(MetricsPayload)
PayloadBatch = TypeAdapter(
    Annotated[list[MetricsPayload], Field(min_length=1, max_length=BATCH_MAX_ITEMS)]
)


async def read_batch_body(request: Request) -> SampleBatch:
    """The batch validated column-wise; a body that path refuses goes through the model (422s)."""
    body = await request.body()
    batch = read_sample_batch(body)
    if batch is None:
        batch = batch_from_payloads(validate_body(PayloadBatch, body), body)
    return batch


@router.post(
    "/workstation",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=request_body(component_ref(MetricsPayload)),
)
async def create_workstation_metrics(
    key: IngestKey,
    payload: Annotated[MetricsPayload, Depends(json_body(SamplePayload))],
    request: Request,
    response: Response,
) -> MetricsAccepted:
    """Accept one FTA sample: 202 once committed to the inbox, 200 for a re-sent sample."""
    document = (await request.body()).decode()
    stored = await request.app.state.inbox_writer.submit([inbox_values(payload, document, key.id)])
    (row_id,), (duplicate,) = stored.ids, stored.duplicates
    if duplicate:
        response.status_code = status.HTTP_200_OK
    return MetricsAccepted(
        id=row_id,
        workstation=payload.workstation,
        timestamp=payload.timestamp,
        duplicate=duplicate,
        ignored=payload.ignored_fields(),
    )


@router.post(
    "/workstation/batch",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=request_body(
        {
            "type": "array",
            "items": component_ref(MetricsPayload),
            "minItems": 1,
            "maxItems": BATCH_MAX_ITEMS,
        }
    ),
)
async def create_workstation_metrics_batch(
    key: IngestKey,
    batch: Annotated[SampleBatch, Depends(read_batch_body)],
    request: Request,
) -> BatchAccepted:
    """Accept up to 5,000 samples (a spool replay) all or none; 202 once committed."""
    stored = await request.app.state.inbox_writer.submit(inbox_frame(batch.frame, key.id))
    duplicates = sum(stored.duplicates)
    return BatchAccepted(
        accepted=len(stored.ids) - duplicates,
        duplicates=duplicates,
        ids=stored.ids,
        ignored=[IgnoredFields(index=index, fields=fields) for index, fields in batch.ignored],
    )


@router.get("/workstation/{workstation}")
def read_workstation_metrics(
    workstation: Annotated[str, Path(pattern=WORKSTATION_PATTERN)],
    session: SessionDep,
    _key: MetricsReadKey,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 288,
) -> MetricsSamplesPublic:
    """History of one FTA, newest first, optionally between `since` and `until`."""
    if since is not None and until is not None and since > until:
        raise HTTPException(status_code=422, detail="'since' must not be later than 'until'")
    rows, count = read_samples(session, workstation.upper(), since, until, limit)
    data = [sample_from_row(row) for row in rows]
    return MetricsSamplesPublic(data=data, count=count)


def sample_from_row(row: WorkstationMetrics) -> MetricsSample:
    fields = {name: getattr(row, name) for name in METRIC_NAMES}
    return MetricsSample(
        workstation=row.workstation,
        timestamp=row.sample_time,
        latency_method=row.latency_method,
        stdlist_mb=row.stdlist_mb,
        message_files=row.message_files,
        **fields,
    )
