"""FTA metrics: ingest of single samples and spool replays, and the history of one workstation."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from api.deps import IngestKey, MetricsReadKey, SessionDep
from api.json_body import component_ref, json_body, read_json_body, request_body, validate_body
from api.key_cache import KnownKey
from resync.ingest.batch import SampleBatch, batch_from_payloads, read_sample_batch
from resync.ingest.estate import read_samples
from resync.ingest.inbox import inbox_frame, inbox_values
from resync.ingest.payload import BATCH_MAX_ITEMS, WORKSTATION_PATTERN, MetricsPayload, UtcTime
from resync.ingest.schemas import (
    BatchAccepted,
    IgnoredFields,
    MetricsAccepted,
    MetricsSample,
    MetricsSamplesPublic,
    PayloadBatch,
    SamplePayload,
)
from resync.keys.binding import WorkstationNotAllowed, check_workstations

router = APIRouter(prefix="/api/v1/metrics", tags=["metrics"])


def allow_workstations(key: KnownKey, names: list[str]) -> None:
    """403 when the key is bound to FTAs and the samples are of another."""
    try:
        check_workstations(key.workstations, names)
    except WorkstationNotAllowed as refused:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=str(refused)) from None


async def read_batch_body(request: Request) -> SampleBatch:
    """The batch validated column-wise; a body that path refuses goes through the model (422s)."""
    body = await read_json_body(request)
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
    allow_workstations(key, [payload.workstation])
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
    allow_workstations(key, batch.frame["workstation"].unique().to_list())
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
    since: UtcTime | None = None,
    until: UtcTime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 288,
) -> MetricsSamplesPublic:
    """History of one FTA, newest first, optionally between `since` and `until`."""
    if since is not None and until is not None and since > until:
        raise HTTPException(status_code=422, detail="'since' must not be later than 'until'")
    rows, count = read_samples(session, workstation.upper(), since, until, limit)
    data = [MetricsSample.of(row) for row in rows]
    return MetricsSamplesPublic(data=data, count=count)
