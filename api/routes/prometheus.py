"""Resync's own health in Prometheus's text format: the API's counters, the inbox, the flows."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.deps import MetricsReadKey
from api.flow_lag import PrefectUnreachable, prefect_api_url, read_flow_lags
from api.instruments import MULTIPROCESS_DIRECTORY, PROCESS_REGISTRY
from resync.ingest.store import unclaimed_inbox

logger = logging.getLogger(__name__)

router = APIRouter(tags=["monitoring"])


class Snapshot:
    """Gauges read at scrape time, the same whichever API process answers."""

    def __init__(self) -> None:
        self.families: list[Metric] = []

    def gauge(self, name: str, documentation: str, value: float) -> None:
        self.families.append(GaugeMetricFamily(name, documentation, value=value))

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def read_inbox(engine: Engine, now: datetime, snapshot: Snapshot) -> None:
    try:
        with engine.connect() as connection:
            count, oldest = unclaimed_inbox(connection)
    except SQLAlchemyError as error:
        logger.warning("metrics: the database did not answer: %s", error)
        snapshot.gauge("resync_database_up", "1 when the database answered this scrape", 0)
        return
    snapshot.gauge("resync_database_up", "1 when the database answered this scrape", 1)
    snapshot.gauge(
        "resync_inbox_unclaimed_samples",
        "Accepted samples waiting in the inbox for the ingest flow to claim them",
        count,
    )
    snapshot.gauge(
        "resync_inbox_oldest_unclaimed_age_seconds",
        "How long the oldest unclaimed sample has waited in the inbox (0 when none waits)",
        max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
    )


async def read_flows(now: datetime, snapshot: Snapshot) -> None:
    api_url = prefect_api_url()
    if api_url is None:
        return
    try:
        lags = await read_flow_lags(api_url, now)
    except PrefectUnreachable as error:
        logger.warning("metrics: Prefect's API at %s did not answer: %s", api_url, error)
        snapshot.gauge("resync_prefect_up", "1 when Prefect's API answered this scrape", 0)
        return
    snapshot.gauge("resync_prefect_up", "1 when Prefect's API answered this scrape", 1)
    family = GaugeMetricFamily(
        "resync_flow_last_completed_age_seconds",
        "Seconds since the flow's last completed run (since Prefect first saw it, if none)",
        labels=["flow"],
    )
    for flow, lag in sorted(lags.items()):
        family.add_metric([flow], lag)
    snapshot.families.append(family)


@router.get("/metrics", response_class=PlainTextResponse)
async def read_prometheus_metrics(request: Request, _key: MetricsReadKey) -> PlainTextResponse:
    """Resync's health for Prometheus: ingest requests, inbox backlog, flow lag, key cache."""
    now = datetime.now(UTC)
    snapshot = Snapshot()
    await run_in_threadpool(read_inbox, request.app.state.read_engine, now, snapshot)
    await read_flows(now, snapshot)
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIRECTORY:
        MultiProcessCollector(registry, MULTIPROCESS_DIRECTORY)
    else:
        registry.register(PROCESS_REGISTRY)
    registry.register(snapshot)
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)
