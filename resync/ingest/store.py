"""Ingest batches: claiming ranges of inbox ids, recording their validation, pruning the inbox.

Each function runs in the caller's transaction (a connection from `engine.begin()`), so the
caller decides what is committed together.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from resync.db.frames import read_frame
from resync.db.models import IngestBatch, MetricsInbox
from resync.ingest.inbox import INBOX_SCHEMA, hold_inbox_for_claim
from resync.ingest.payload import METRIC_NAMES

BatchRange = dict[str, int]
VALIDATED_COLUMNS = ("workstation", "sample_time", *METRIC_NAMES)
FRAME_SCHEMA = {"inbox_id": pl.Int64, **{name: INBOX_SCHEMA[name] for name in VALIDATED_COLUMNS}}


@dataclass(frozen=True)
class Claim:
    """A claimed batch (its id and inbox-id range); `taken_over` when another run abandoned it."""

    batch: BatchRange
    taken_over: bool = False


def batch_rows(batch: BatchRange) -> Any:
    """The condition that selects a batch's inbox rows."""
    return and_(
        MetricsInbox.id >= batch["first_inbox_id"], MetricsInbox.id <= batch["last_inbox_id"]
    )


def claim_batch(
    connection: Connection, batch_size: int, claim_timeout: timedelta, run_id: str
) -> Claim | None:
    """Claim the next `batch_size` inbox ids as one batch, or take over a claim older than
    `claim_timeout`; None when nothing is pending."""
    now = datetime.now(UTC)
    hold_inbox_for_claim(connection)
    abandoned = connection.execute(
        select(IngestBatch)
        .where(IngestBatch.status == "claimed", IngestBatch.claimed_at < now - claim_timeout)
        .order_by(IngestBatch.id)
        .limit(1)
    ).first()
    if abandoned is not None:
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == abandoned.id)
            .values(claimed_at=now, flow_run_id=run_id)
        )
        batch = {
            "batch_id": abandoned.id,
            "first_inbox_id": abandoned.first_inbox_id,
            "last_inbox_id": abandoned.last_inbox_id,
        }
        return Claim(batch, taken_over=True)
    watermark = connection.execute(
        select(func.coalesce(func.max(IngestBatch.last_inbox_id), 0))
    ).scalar_one()
    # Every id up to the newest is committed (no write is in flight): the batch is the next
    # `batch_size` ids, counted when validated (ids can have gaps).
    newest = connection.execute(select(func.max(MetricsInbox.id))).scalar_one()
    if newest is None or newest <= watermark:
        return None
    first, last = watermark + 1, min(newest, watermark + batch_size)
    batch_id = connection.execute(
        insert(IngestBatch)
        .values(
            first_inbox_id=first,
            last_inbox_id=last,
            status="claimed",
            claimed_at=now,
            flow_run_id=run_id,
        )
        .returning(IngestBatch.id)
    ).scalar_one()
    return Claim({"batch_id": batch_id, "first_inbox_id": first, "last_inbox_id": last})


def read_batch_frame(connection: Connection, batch: BatchRange) -> pl.DataFrame:
    """The batch's inbox rows as the history schema checks them (inbox_id, key, metrics)."""
    query = select(
        MetricsInbox.id.label("inbox_id"), *(getattr(MetricsInbox, c) for c in VALIDATED_COLUMNS)
    ).where(batch_rows(batch))
    return read_frame(connection, query, FRAME_SCHEMA)


def record_validation(
    connection: Connection, batch: BatchRange, claimed_rows: int, invalid: dict[int, str]
) -> None:
    """Set the failing rows aside with their reason and count the batch's rows."""
    if invalid:
        connection.execute(
            update(MetricsInbox)
            .where(MetricsInbox.id == bindparam("row_id"))
            .values(error=bindparam("reason")),
            [{"row_id": row_id, "reason": reason} for row_id, reason in invalid.items()],
        )
    connection.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch["batch_id"])
        .values(claimed_rows=claimed_rows, rejected_rows=len(invalid))
    )


def set_aside_rows(connection: Connection, batch: BatchRange, reasons: dict[int, str]) -> None:
    """Set aside rows the load cannot take, with their reason, and count them as rejected."""
    connection.execute(
        update(MetricsInbox)
        .where(MetricsInbox.id == bindparam("row_id"))
        .values(error=bindparam("reason")),
        [{"row_id": row_id, "reason": reason} for row_id, reason in reasons.items()],
    )
    connection.execute(
        update(IngestBatch)
        .where(IngestBatch.id == batch["batch_id"])
        .values(rejected_rows=IngestBatch.rejected_rows + len(reasons))
    )


def set_aside_since(connection: Connection, since: datetime) -> dict[str, tuple[int, str]]:
    """Per FTA, the samples received since `since` that ingest set aside, and the first reason."""
    rows = connection.execute(
        select(MetricsInbox.workstation, func.count(), func.min(MetricsInbox.error))
        .where(MetricsInbox.error.is_not(None), MetricsInbox.received_at >= since)
        .group_by(MetricsInbox.workstation)
    ).all()
    return {workstation: (count, reason) for workstation, count, reason in rows}


def prune_loaded_batches(connection: Connection, loaded_before: datetime, max_batches: int) -> int:
    """Delete the inbox rows of up to `max_batches` batches loaded before `loaded_before`; the
    batch rows stay, marked pruned. Returns the inbox rows deleted."""
    pruned = 0
    batches = connection.execute(
        select(IngestBatch.id, IngestBatch.first_inbox_id, IngestBatch.last_inbox_id)
        .where(IngestBatch.status == "loaded", IngestBatch.loaded_at < loaded_before)
        .order_by(IngestBatch.id)
        .limit(max_batches)
    ).all()
    for batch_id, first, last in batches:
        pruned += connection.execute(
            delete(MetricsInbox).where(MetricsInbox.id >= first, MetricsInbox.id <= last)
        ).rowcount
        connection.execute(
            update(IngestBatch).where(IngestBatch.id == batch_id).values(status="pruned")
        )
    return pruned


def unclaimed_inbox(connection: Connection) -> tuple[int, datetime | None]:
    """How many inbox rows no batch has claimed yet, and when the oldest of them arrived."""
    watermark = select(func.coalesce(func.max(IngestBatch.last_inbox_id), 0)).scalar_subquery()
    count, oldest = connection.execute(
        select(func.count(), func.min(MetricsInbox.received_at)).where(MetricsInbox.id > watermark)
    ).one()
    return count, oldest
