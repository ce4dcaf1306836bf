"""The Resync API: metrics ingest for the FTAs, the estate's read endpoints and key admin."""

import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import DBAPIError
from starlette.requests import ClientDisconnect
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.access_log import mask_access_log
from api.admin_panel import mount_admin_panel
from api.database_slots import RETRY_AFTER_SECONDS, DatabaseSlots
from api.inbox_writer import InboxWriter
from api.instruments import IngestMetricsMiddleware
from api.json_body import add_component_schemas
from api.key_cache import KeyCache, UsageRecorder
from api.limits import BodyLimitMiddleware
from api.routes import (
    alerts,
    api_keys,
    capacity,
    failures,
    health,
    jobs,
    maintenance,
    metrics,
    prometheus,
    reports,
    workstations,
)
from api.security_headers import NoSniffMiddleware
from resync.db.engine import make_engine, read_only_engine
from resync.ingest.payload import MetricsPayload
from resync.logs import configure_logging
from resync.settings import Settings, get_settings

logger = logging.getLogger(__name__)

ROUTERS = (
    health.router,
    prometheus.router,
    metrics.router,
    workstations.router,
    jobs.router,
    failures.router,
    capacity.router,
    reports.router,
    maintenance.router,
    alerts.router,
    api_keys.router,
)


def create_app(
    settings: Settings | None = None, key_cache_clock: Callable[[], float] = time.monotonic
) -> FastAPI:
    """Build the API for `settings` (the environment's by default); the key cache's TTL runs on
    `key_cache_clock`, which tests move forward instead of waiting."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_format)
        mask_access_log()
        engine = make_engine(
            settings.sqlalchemy_url,
            # A connection for each slot and each writer thread kept; key loads and the
            # readiness probe, off the slots, may open one per worker thread: no thread ever
            # waits for the pool.
            pool_size=settings.api_database_slots + settings.inbox_batch_writers + 2,
            max_overflow=to_thread.current_default_thread_limiter().total_tokens,
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.read_engine = read_only_engine(engine)
        app.state.database_slots = DatabaseSlots(
            settings.api_database_slots, settings.api_database_wait_seconds
        )
        app.state.key_cache = KeyCache(
            app.state.read_engine, ttl=settings.key_cache_ttl_seconds, clock=key_cache_clock
        )
        app.state.usage_recorder = UsageRecorder(engine, settings.usage_flush_interval_seconds)
        app.state.inbox_writer = InboxWriter(
            engine, settings.inbox_max_rows_per_transaction, settings.inbox_batch_writers
        )
        app.state.usage_recorder.start()
        app.state.inbox_writer.start()
        logger.info(
            "Resync API started on %s (%d spool-replay writers)",
            engine.url.render_as_string(hide_password=True),
            settings.inbox_batch_writers,
        )
        # Everything loaded so far lives as long as the process: keep it out of the collector's
        # full passes, which otherwise stall every request for tens of milliseconds under load.
        if settings.api_gc_freeze:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if settings.api_gc_freeze:
                gc.unfreeze()
            app.state.inbox_writer.stop()
            app.state.usage_recorder.stop()
            engine.dispose()
            logger.info("Resync API stopped")

    app = FastAPIOffline(
        title="Resync API",
        summary="Metrics ingest for TWS fault-tolerant agents, estate views and API-key admin.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's OpenTelemetry spans, metrics and logs: Resync exports none of them, and
        # looking for them costs ≈ 15 % of an ingest request's CPU.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        # Starlette's redirect to the path with(out) the slash is built from the Host header.
        redirect_slashes=False,
    )
    app.add_middleware(NoSniffMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        single_limit=settings.single_body_limit_bytes,
        batch_limit=settings.batch_body_limit_bytes,
    )
    # Outside the body limit: its 413s are counted with every other answer to the FTAs.
    app.add_middleware(IngestMetricsMiddleware)

    @app.exception_handler(DBAPIError)
    async def database_unavailable(_request: Request, error: DBAPIError) -> JSONResponse:
        logger.error("database error: %s", error)
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "The database is unavailable; retry later (nothing was stored)"},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, _error: ClientDisconnect) -> Response:
        # Nobody is left to answer: one line instead of the server's traceback.
        logger.info(
            "%s %s: the client disconnected before sending the whole body (nothing was stored)",
            request.method,
            request.url.path,
        )
        return Response(status_code=status.HTTP_400_BAD_REQUEST)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        # Only where and what: echoing the input would repeat a whole batch (and NaN is not JSON).
        detail = [
            {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail}
        )

    for router in ROUTERS:
        app.include_router(router)
    add_component_schemas(app, MetricsPayload)
    mount_admin_panel(app)
    if settings.trusted_proxies:
        # Outermost: the key audit and everything else see the address the proxy vouches for.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


app = create_app()
