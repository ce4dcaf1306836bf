"""The inbox protocol: how accepted payloads are written, and how ingest claims them in id order.

Batches claim ranges of inbox ids. A range is safe to claim only when no transaction that could
still commit a lower id is in flight: on PostgreSQL every inbox write holds a shared advisory
lock for its transaction and a claim takes the same lock exclusively for an instant; on SQLite
writers are serialised, so ids commit in order by construction.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import polars as pl
from pydantic_core import to_json
from sqlalchemy import Column, Connection, func, select

from resync.db.frames import UTC_TIME
from resync.db.models import MetricsInbox, UtcDateTime
from resync.ingest.payload import METRIC_NAMES, MetricsPayload

INBOX_LOCK = 0x52_53_59_43  # "RSYC"
INBOX_COLUMNS = (
    "workstation",
    "sample_time",
    *METRIC_NAMES,
    "latency_method",
    "stdlist_mb",
    "message_files",
    "payload",
    "api_key_id",
    "received_at",
)


def _frame_type(column: Column[Any]) -> pl.DataType:
    """An inbox column in the frame the API's writer COPYs as CSV: numbers as their type, times
    in UTC, the rest as text (JSON documents as their text; api_key_id as 32 hex digits, which
    PostgreSQL reads as a uuid and SQLAlchemy stores on SQLite)."""
    if isinstance(column.type, UtcDateTime):
        return UTC_TIME
    python_type = column.type.python_type
    return {float: pl.Float64(), int: pl.Int64()}.get(python_type, pl.String())


INBOX_SCHEMA: dict[str, pl.DataType] = {
    name: _frame_type(MetricsInbox.__table__.c[name]) for name in INBOX_COLUMNS
}


def hold_inbox_for_write(connection: Connection) -> None:
    """Call first in every transaction that inserts into metrics_inbox."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock_shared(INBOX_LOCK)))


def hold_inbox_for_claim(connection: Connection) -> None:
    """Wait until no inbox write is in flight; later writes get higher ids."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(INBOX_LOCK)))


def sample_values(payload: MetricsPayload, document: str) -> dict[str, Any]:
    """The typed columns of a validated payload, and its document as received (JSON text)."""
    metrics = payload.metrics
    tws = payload.tws
    return {
        "workstation": payload.workstation,
        "sample_time": payload.timestamp,
        **{name: getattr(metrics, name) for name in METRIC_NAMES},
        "latency_method": payload.latency_method,
        "stdlist_mb": tws.stdlist_mb if tws else None,
        "message_files": to_json(tws.message_files).decode() if tws and tws.message_files else None,
        "payload": document,
    }


def inbox_values(payload: MetricsPayload, document: str, api_key_id: uuid.UUID) -> dict[str, Any]:
    """The inbox row for a validated payload: typed columns plus the raw document as JSON text."""
    return {
        **sample_values(payload, document),
        "api_key_id": api_key_id.hex,
        "received_at": datetime.now(UTC),
    }


def inbox_frame(samples: pl.DataFrame, api_key_id: uuid.UUID) -> pl.DataFrame:
    """The inbox rows of a validated batch (`SampleBatch.frame`): its samples, key and receipt."""
    return samples.with_columns(
        api_key_id=pl.lit(api_key_id.hex), received_at=pl.lit(datetime.now(UTC), dtype=UTC_TIME)
    )
