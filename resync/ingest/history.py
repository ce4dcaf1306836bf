"""Loading a validated batch into the history table, and each FTA's latest facts with it."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from resync.db.engine import conflict_insert
from resync.db.models import IngestBatch, MetricsInbox, Workstation, WorkstationMetrics
from resync.ingest.payload import METRIC_NAMES
from resync.ingest.store import BatchRange, batch_rows

SAMPLE_COLUMNS = (
    "workstation",
    "sample_time",
    *METRIC_NAMES,
    "latency_method",
    "stdlist_mb",
    "message_files",
)


def load_batch(connection: Connection, batch: BatchRange) -> dict[str, int]:
    """Copy the batch's valid rows into history and refresh each FTA's latest facts (in the
    caller's transaction); the rows loaded and the samples history already held.

    Raises RuntimeError when the batch is no longer claimed (another run loaded it).
    """
    valid_rows = and_(batch_rows(batch), MetricsInbox.error.is_(None))
    source = select(*(getattr(MetricsInbox, c) for c in SAMPLE_COLUMNS), MetricsInbox.id).where(
        valid_rows
    )
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
        update(IngestBatch).where(IngestBatch.id == batch["batch_id"]).values(loaded_rows=loaded)
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
