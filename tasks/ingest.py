"""Inbox → history tasks: claim a range of pending payloads, validate it, load it."""

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from sqlalchemy import Connection, and_, bindparam, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from resync.db.engine import conflict_insert, get_engine
from resync.db.frames import UTC_TIME, read_frame
from resync.db.models import IngestBatch, MetricsInbox, Workstation, WorkstationMetrics
from resync.ingest.history_schema import find_invalid_rows
from resync.ingest.inbox import hold_inbox_for_claim
from resync.ingest.payload import METRIC_NAMES
from resync.settings import get_settings

SAMPLE_COLUMNS = (
    "workstation",
    "sample_time",
    *METRIC_NAMES,
    "latency_method",
    "stdlist_mb",
    "message_files",
)
VALIDATED_COLUMNS = ("inbox_id", "workstation", "sample_time", *METRIC_NAMES)
FRAME_SCHEMA = {
    "inbox_id": pl.Int64,
    "workstation": pl.String,
    "sample_time": UTC_TIME,
    **{name: pl.Float64 for name in METRIC_NAMES},
    "tcp_connectivity": pl.Int64,
    "process_count": pl.Int64,
}


def _batch_rows(batch: dict[str, int]) -> Any:
    return and_(
        MetricsInbox.id >= batch["first_inbox_id"], MetricsInbox.id <= batch["last_inbox_id"]
    )


@task(cache_policy=NONE)
def claim_inbox_batch(batch_size: int) -> dict[str, int] | None:
    """Claim the next `batch_size` inbox ids as one batch, or take over an abandoned claim."""
    engine = get_engine()
    now = datetime.now(UTC)
    cutoff = now - timedelta(seconds=get_settings().ingest_claim_timeout_seconds)
    run_id = str(flow_run.id or "")
    with engine.begin() as connection:
        hold_inbox_for_claim(connection)
        abandoned = connection.execute(
            select(IngestBatch)
            .where(IngestBatch.status == "claimed", IngestBatch.claimed_at < cutoff)
            .order_by(IngestBatch.id)
            .limit(1)
        ).first()
        if abandoned is not None:
            get_run_logger().warning(
                "taking over ingest batch %d, abandoned by its run", abandoned.id
            )
            connection.execute(
                update(IngestBatch)
                .where(IngestBatch.id == abandoned.id)
                .values(claimed_at=now, flow_run_id=run_id)
            )
            return {
                "batch_id": abandoned.id,
                "first_inbox_id": abandoned.first_inbox_id,
                "last_inbox_id": abandoned.last_inbox_id,
            }
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
    return {"batch_id": batch_id, "first_inbox_id": first, "last_inbox_id": last}


def _read_batch_frame(connection: Connection, batch: dict[str, int]) -> pl.DataFrame:
    query = select(
        MetricsInbox.id.label("inbox_id"),
        *(getattr(MetricsInbox, c) for c in VALIDATED_COLUMNS[1:]),
    ).where(_batch_rows(batch))
    return read_frame(connection, query, FRAME_SCHEMA)


@task(cache_policy=NONE)
def validate_inbox_batch(batch: dict[str, int]) -> dict[str, int]:
    """Count the batch's rows and check them against the HistoryBatch schema; failing rows are
    set aside with a reason."""
    engine = get_engine()
    with engine.connect() as connection:
        frame = _read_batch_frame(connection, batch)
    invalid = find_invalid_rows(frame) if frame.height else {}
    with engine.begin() as connection:
        if invalid:
            get_run_logger().warning(
                "batch %d: %d rows fail the history schema", batch["batch_id"], len(invalid)
            )
            connection.execute(
                update(MetricsInbox)
                .where(MetricsInbox.id == bindparam("row_id"))
                .values(error=bindparam("reason")),
                [{"row_id": row_id, "reason": reason} for row_id, reason in invalid.items()],
            )
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == batch["batch_id"])
            .values(claimed_rows=frame.height, rejected_rows=len(invalid))
        )
    return {"claimed": frame.height, "rejected": len(invalid)}


@task(cache_policy=NONE)
def load_history_batch(batch: dict[str, int]) -> dict[str, int]:
    """Copy the batch's valid rows into history and refresh each FTA's latest facts, atomically."""
    engine = get_engine()
    valid_rows = and_(_batch_rows(batch), MetricsInbox.error.is_(None))
    source = select(*(getattr(MetricsInbox, c) for c in SAMPLE_COLUMNS), MetricsInbox.id).where(
        valid_rows
    )
    with engine.begin() as connection:
        taken = connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == batch["batch_id"], IngestBatch.status == "claimed")
            .values(status="loaded", loaded_at=datetime.now(UTC))
            .returning(IngestBatch.claimed_rows, IngestBatch.rejected_rows)
        ).first()
        if taken is None:
            raise RuntimeError(
                f"ingest batch {batch['batch_id']} was loaded by another run; nothing done"
            )
        loaded, newest = _insert_history(connection, source, valid_rows)
        _refresh_workstations(connection, newest)
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.id == batch["batch_id"])
            .values(loaded_rows=loaded)
        )
    return {"loaded": loaded, "duplicates": taken.claimed_rows - taken.rejected_rows - loaded}


def _insert_history(connection: Connection, source: Any, valid_rows: Any) -> tuple[int, list[int]]:
    """Insert `source` into history, skipping samples already there (never stored twice).

    Returns the rows inserted and, per FTA, the inbox id of its newest sample in the batch.
    """
    columns = [*SAMPLE_COLUMNS, "inbox_id"]
    try:
        # Inbox keys are unique and each inbox row is loaded once, so a conflict is rare: try
        # the plain insert (half the cost of ON CONFLICT in PostgreSQL) and fall back to it.
        with connection.begin_nested():
            statement = insert(WorkstationMetrics).from_select(columns, source)
            return _run_insert(connection, statement, valid_rows)
    except IntegrityError:
        statement = (
            conflict_insert(connection.dialect.name, WorkstationMetrics)
            .from_select(columns, source)
            .on_conflict_do_nothing(index_elements=["workstation", "sample_time"])
        )
        return _run_insert(connection, statement, valid_rows)


def _run_insert(connection: Connection, statement: Any, valid_rows: Any) -> tuple[int, list[int]]:
    if connection.dialect.name != "postgresql":
        counted = connection.execution_options(preserve_rowcount=True)
        loaded = counted.execute(statement).rowcount
        return loaded, _newest_inbox_ids(connection, valid_rows)
    # PostgreSQL finds each FTA's newest sample among the inserted rows themselves (a CTE on
    # RETURNING, aggregated in memory) instead of scanning the batch's inbox rows once more.
    connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    history = WorkstationMetrics
    moved = statement.returning(history.workstation, history.sample_time, history.inbox_id).cte(
        "moved"
    )
    newest = (
        select(moved.c.workstation, func.max(moved.c.sample_time).label("sample_time"))
        .group_by(moved.c.workstation)
        .subquery()
    )
    loaded = select(func.count()).select_from(moved).scalar_subquery()
    rows = connection.execute(
        select(moved.c.inbox_id, loaded).join(
            newest,
            and_(
                moved.c.workstation == newest.c.workstation,
                moved.c.sample_time == newest.c.sample_time,
            ),
        )
    ).all()
    return (rows[0][1] if rows else 0), [inbox_id for inbox_id, _ in rows]


def _newest_inbox_ids(connection: Connection, valid_rows: Any) -> list[int]:
    newest = (
        select(MetricsInbox.workstation, func.max(MetricsInbox.sample_time).label("sample_time"))
        .where(valid_rows)
        .group_by(MetricsInbox.workstation)
        .subquery()
    )
    return list(
        connection.scalars(
            select(MetricsInbox.id).join(
                newest,
                and_(
                    MetricsInbox.workstation == newest.c.workstation,
                    MetricsInbox.sample_time == newest.c.sample_time,
                ),
            )
        )
    )


def _refresh_workstations(connection: Connection, newest: list[int]) -> None:
    """Upsert each FTA of the batch with its newest sample's time and host/TWS facts."""
    if not newest:
        return
    # In name order: batches loaded side by side then lock the same rows in the same order.
    rows = connection.execute(
        select(MetricsInbox.workstation, MetricsInbox.sample_time, MetricsInbox.payload)
        .where(MetricsInbox.id.in_(newest))
        .order_by(MetricsInbox.workstation)
    ).all()
    statement = conflict_insert(connection.dialect.name, Workstation)
    newer = statement.excluded.last_sample_at > Workstation.last_sample_at
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={
            column: case(
                (newer, getattr(statement.excluded, column)), else_=getattr(Workstation, column)
            )
            for column in ("last_sample_at", "latency_method", "host", "tws")
        },
    )
    connection.execute(
        statement,
        [
            {
                "name": row.workstation,
                "first_seen_at": datetime.now(UTC),
                "last_sample_at": row.sample_time,
                "latency_method": row.payload.get("latency_method"),
                "host": row.payload.get("host"),
                "tws": row.payload.get("tws"),
            }
            for row in rows
        ],
    )


@task(cache_policy=NONE)
def prune_inbox_batches(max_batches: int = 50) -> int:
    """Delete the inbox rows of batches loaded longer ago than the retention; keeps the batches.

    A sample that old is refused by the API, so it cannot come back as a new inbox row; the
    batch rows stay as the audit trail and as the claim watermark.
    """
    cutoff = datetime.now(UTC) - timedelta(days=get_settings().retention_days)
    pruned = 0
    with get_engine().begin() as connection:
        batches = connection.execute(
            select(IngestBatch.id, IngestBatch.first_inbox_id, IngestBatch.last_inbox_id)
            .where(IngestBatch.status == "loaded", IngestBatch.loaded_at < cutoff)
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
