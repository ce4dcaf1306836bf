"""Loading a validated batch into the history table, and each FTA's latest facts with it.

A row the load cannot take (a payload that is not a JSON object, or host/TWS facts that strict
JSON cannot hold) must not keep the rest of its batch out of history: `find_unloadable_rows`
loads halves of the batch in savepoints, rolled back, down to the rows that fail and why.
"""

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from resync.db.engine import conflict_insert
from resync.db.models import IngestBatch, MetricsInbox, Workstation, WorkstationMetrics
from resync.ingest.payload import METRIC_NAMES
from resync.ingest.store import BatchRange, batch_rows

# The optional parts of a payload each FTA's row keeps from its newest sample.
FACT_PARTS = ("host", "tws", "master_link")

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
    loaded = _load_rows(connection, valid_rows)
    connection.execute(
        update(IngestBatch).where(IngestBatch.id == batch["batch_id"]).values(loaded_rows=loaded)
    )
    return {"loaded": loaded, "duplicates": taken.claimed_rows - taken.rejected_rows - loaded}


def find_unloadable_rows(connection: Connection, batch: BatchRange) -> dict[int, str]:
    """The batch's valid rows that the load refuses, by inbox id, with the error of each.

    Nothing is written: every trial load is rolled back. A load fails on what a row holds, so
    halving the rows that fail finds each bad one in a few loads per bad row.
    """
    ids = list(
        connection.scalars(
            select(MetricsInbox.id)
            .where(batch_rows(batch), MetricsInbox.error.is_(None))
            .order_by(MetricsInbox.id)
        )
    )
    unloadable: dict[int, str] = {}
    _halve(connection, ids, unloadable)
    return unloadable


def _halve(connection: Connection, ids: list[int], unloadable: dict[int, str]) -> None:
    try:
        with connection.begin_nested() as trial:
            _load_rows(connection, MetricsInbox.id.in_(ids))
            trial.rollback()
        return
    except (DBAPIError, ValueError, TypeError) as error:
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            raise
        if len(ids) == 1:
            unloadable[ids[0]] = f"not loadable into history: {_first_line(error)}"
            return
    middle = len(ids) // 2
    _halve(connection, ids[:middle], unloadable)
    _halve(connection, ids[middle:], unloadable)


def _first_line(error: Exception) -> str:
    text = str(error.orig) if isinstance(error, DBAPIError) else str(error)
    return text.strip().splitlines()[0][:300] if text.strip() else type(error).__name__


def _load_rows(connection: Connection, rows: Any) -> int:
    """Insert the inbox rows selected by `rows` into history and refresh their FTAs' facts."""
    source = select(*(getattr(MetricsInbox, c) for c in SAMPLE_COLUMNS), MetricsInbox.id).where(
        rows
    )
    loaded, newest = _insert_history(connection, source, rows)
    _refresh_workstations(connection, newest)
    return loaded


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
            for column in ("last_sample_at", "latency_method", *FACT_PARTS)
        },
    )
    connection.execute(
        statement,
        [_workstation_row(row.workstation, row.sample_time, row.payload) for row in rows],
    )


def _workstation_row(name: str, sample_time: datetime, payload: Any) -> dict[str, Any]:
    """An FTA's row from its newest sample; TypeError or ValueError for a payload whose facts
    strict JSON in UTF-8 cannot hold (NaN, a lone surrogate): refused on either backend, as
    PostgreSQL refuses them, rather than stored where every read of the FTA would fail."""
    if not isinstance(payload, dict):
        raise TypeError(f"the payload is a JSON {type(payload).__name__}, not an object")
    facts = {part: payload.get(part) for part in FACT_PARTS}
    for part, value in facts.items():
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"{part} is a JSON {type(value).__name__}, not an object")
        try:
            # ensure_ascii=False: a lone surrogate fails here as it fails in UTF-8 anywhere.
            json.dumps(value, allow_nan=False, ensure_ascii=False).encode()
        except ValueError as error:
            raise ValueError(f"{part} cannot be stored as strict JSON: {error}") from None
    return {
        "name": name,
        "first_seen_at": datetime.now(UTC),
        "last_sample_at": sample_time,
        "latency_method": payload.get("latency_method"),
        **facts,
    }
