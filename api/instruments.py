"""The API's own counters for `/metrics`: ingest requests by status, their latency, key-cache hits.

They count in this process. With PROMETHEUS_MULTIPROC_DIR set before the API starts (several
uvicorn workers, each its own process), prometheus-client keeps each process's values in a file
of that directory and `/metrics` adds up every process's files; the directory must be empty when
the API starts (systemd's RuntimeDirectory= gives a fresh one at each start).
"""

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROCESS_DIRECTORY = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
# The per-process registry, read when the API runs as one process; in multiprocess mode the
# values are read back from the directory's files instead.
PROCESS_REGISTRY = CollectorRegistry()

INGEST_ROUTES = {
    "/api/v1/metrics/workstation": "single",
    "/api/v1/metrics/workstation/batch": "batch",
}
INGEST_REQUESTS = Counter(
    "resync_ingest_requests",
    "FTA sample posts answered, by route (single or batch) and HTTP status",
    ["route", "status"],
    registry=PROCESS_REGISTRY,
)
# From a cached key and a group commit of one sample (milliseconds) to a 5,000-sample spool
# replay waiting for its transaction (seconds).
INGEST_DURATION = Histogram(
    "resync_ingest_request_duration_seconds",
    "Time from an FTA sample post's arrival to the end of its answer, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=PROCESS_REGISTRY,
)
KEY_CACHE_LOOKUPS = Counter(
    "resync_key_cache_lookups",
    "API-key authentications, by whether the key cache answered (hit) or the database (miss)",
    ["result"],
    registry=PROCESS_REGISTRY,
)
KEY_CACHE_HIT = KEY_CACHE_LOOKUPS.labels("hit")
KEY_CACHE_MISS = KEY_CACHE_LOOKUPS.labels("miss")
# Each labelled child looked up once: `labels()` takes a lock on every call.
DURATIONS = {route: INGEST_DURATION.labels(route) for route in INGEST_ROUTES.values()}
ANSWERS: dict[tuple[str, int], Any] = {}


class IngestMetricsMiddleware:
    """Counts and times every request to the ingest routes, whatever answered it (a 413 from
    the body limit, a 401, a 422, a 503 or the route itself); other paths pass straight by."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = INGEST_ROUTES.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            DURATIONS[route].observe(time.perf_counter() - started)
            answers = ANSWERS.get((route, status))
            if answers is None:
                answers = ANSWERS[(route, status)] = INGEST_REQUESTS.labels(route, str(status))
            answers.inc()
