"""Group commit into the metrics inbox: requests wait for the transaction that holds their rows.

A writer thread drains every submission waiting at that moment and stores them in a single
transaction; each request is acknowledged only after that commit returned. Under load the
batches grow by themselves, so the commit cost is shared; when idle a request is written alone.
A submission is a list of inbox rows (single samples) or a polars frame of them (a batch).

On PostgreSQL single samples have a writer of their own, so a live sample never waits for a
spool replay's transaction, and batches have several, each with its own connection: while one
transaction's COPY runs in its server process, the next batch is being prepared and sent.
SQLite takes one writer at a time, so there one writer takes everything.
"""

import asyncio
import io
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from psycopg import Cursor
from psycopg.errors import DeadlockDetected, UniqueViolation
from sqlalchemy import Connection, Engine, Text, bindparam, select, tuple_, type_coerce
from sqlalchemy.dialects import sqlite

from resync.db.models import MetricsInbox
from resync.ingest.inbox import INBOX_COLUMNS, INBOX_SCHEMA, hold_inbox_for_write

logger = logging.getLogger(__name__)


Key = tuple[str, datetime]
WRITE_ATTEMPTS = 4
Rows = list[dict[str, Any]] | pl.DataFrame
Submission = tuple[Rows, Future]
WriteQueue = queue.SimpleQueue[Submission | None]


@dataclass(frozen=True)
class Stored:
    """The inbox ids of a submission's rows, in order, and which were stored before."""

    ids: list[int]
    duplicates: list[bool]


class InboxWriter:
    """Writes submitted rows to `metrics_inbox`, idempotently on (workstation, sample_time)."""

    def __init__(self, engine: Engine, max_rows_per_transaction: int, batch_writers: int) -> None:
        self._engine = engine
        self._max_rows = max_rows_per_transaction
        self._postgresql = engine.dialect.name == "postgresql"
        self._singles: WriteQueue = queue.SimpleQueue()
        self._batches: WriteQueue = queue.SimpleQueue() if self._postgresql else self._singles
        self._threads = [self._writer("inbox-writer", self._singles)]
        if self._postgresql:
            self._threads += [
                self._writer(f"inbox-batch-writer-{number}", self._batches)
                for number in range(batch_writers)
            ]
        self._local = threading.local()
        self._store = self._store_postgresql if self._postgresql else self._store_sqlite

    def _writer(self, name: str, pending: WriteQueue) -> threading.Thread:
        return threading.Thread(target=self._run, args=(pending,), name=name, daemon=True)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._singles.put(None)
        if self._batches is not self._singles:
            self._batches.put(None)
        for thread in self._threads:
            thread.join(timeout=30)

    async def submit(self, rows: Rows) -> Stored:
        """Store `rows` (all or none) and return their ids once committed."""
        future: Future[Stored] = Future()
        pending = self._batches if isinstance(rows, pl.DataFrame) else self._singles
        pending.put((rows, future))
        return await asyncio.wrap_future(future)

    def _run(self, pending: WriteQueue) -> None:
        self._local.connection = None
        while True:
            first = pending.get()
            if first is None:
                # Passed on, so that every writer of this queue stops.
                pending.put(None)
                if self._local.connection is not None:
                    self._local.connection.close()
                return
            group = [first]
            size = len(first[0])
            while size < self._max_rows:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    pending.put(None)
                    break
                group.append(item)
                size += len(item[0])
            self._write(group)

    def _connect(self) -> Connection:
        """This writer's own connection, kept open: no pool checkout or ping per transaction."""
        if self._local.connection is None:
            connection = self._engine.connect()
            if self._postgresql:
                names = ", ".join(INBOX_COLUMNS)
                connection.exec_driver_sql(
                    f"CREATE TEMP TABLE inbox_staging ON COMMIT DELETE ROWS AS "
                    f"SELECT {names} FROM metrics_inbox WITH NO DATA"
                )
                connection.commit()
            self._local.connection = connection
        return self._local.connection

    def _disconnect(self) -> None:
        if self._local.connection is not None:
            self._local.connection.invalidate()
            self._local.connection = None

    def _write(self, group: list[Submission]) -> None:
        # Single samples first: the stores write them before the batches.
        group = sorted(group, key=lambda submission: isinstance(submission[0], pl.DataFrame))
        singles = [row for rows, _ in group if isinstance(rows, list) for row in rows]
        frames = [rows for rows, _ in group if isinstance(rows, pl.DataFrame)]
        try:
            results = self._store_group(group, singles, frames)
        except Exception as error:
            logger.exception("inbox write failed for %d submissions", len(group))
            self._disconnect()
            for _, future in group:
                future.set_exception(error)
            return
        for result, (_, future) in zip(results, group, strict=True):
            future.set_result(result)

    def _store_group(
        self, group: list[Submission], singles: list[dict[str, Any]], frames: list[pl.DataFrame]
    ) -> list[Stored]:
        """The group in one transaction: on PostgreSQL first COPY'd as all new; again through the
        staging table, skipping what is stored, when a key was stored before (a re-send) or when
        PostgreSQL cancelled the transaction to end a deadlock with another writer (each waiting
        for a key the other holds)."""
        all_new = self._postgresql
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return self._transaction(group, singles, frames, all_new)
            except UniqueViolation:
                pass
            except DeadlockDetected:
                logger.warning("inbox write cancelled as a deadlock victim; writing it again")
            all_new = False
        return self._transaction(group, singles, frames, all_new)

    def _transaction(
        self,
        group: list[Submission],
        singles: list[dict[str, Any]],
        frames: list[pl.DataFrame],
        all_new: bool,
    ) -> list[Stored]:
        connection = self._connect()
        with connection.begin():
            hold_inbox_for_write(connection)
            if all_new:
                ids = self._store_new(connection, singles, frames)
            else:
                return _results_by_key(connection, group, self._store(connection, singles, frames))
        results, offset = [], 0
        for rows, _ in group:
            results.append(Stored(ids[offset : offset + len(rows)], [False] * len(rows)))
            offset += len(rows)
        return results

    def _store_sqlite(
        self, connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
    ) -> dict[Key, int]:
        statement = (
            sqlite.insert(MetricsInbox)
            # The JSON columns arrive as JSON text and the key id as the 32 hex digits
            # SQLAlchemy stores: bind them as text, not encoded again.
            .values(
                payload=type_coerce(bindparam("payload"), Text),
                message_files=type_coerce(bindparam("message_files"), Text),
                api_key_id=type_coerce(bindparam("api_key_id"), Text),
            )
            .on_conflict_do_nothing(index_elements=["workstation", "sample_time"])
            .returning(MetricsInbox.id, MetricsInbox.workstation, MetricsInbox.sample_time)
        )
        rows = singles + [row for frame in frames for row in _inbox_frame(frame).to_dicts()]
        found = connection.execute(statement, rows)
        return {(r.workstation, r.sample_time): r.id for r in found}

    def _store_new(
        self, connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
    ) -> list[int]:
        """Rows whose keys are all new, COPY'd straight into the inbox; their ids in row order.

        A key already stored raises UniqueViolation: the caller then uses `_store`.
        """
        cursor = connection.connection.driver_connection.cursor()
        count = len(singles) + sum(len(frame) for frame in frames)
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('metrics_inbox', 'id')) "
            "FROM generate_series(1, %s)",
            (count,),
        )
        ids = [row_id for (row_id,) in cursor.fetchall()]
        _copy_rows(cursor, "metrics_inbox", singles, frames, ids)
        return ids

    def _store_postgresql(
        self, connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
    ) -> dict[Key, int]:
        """Rows through the staging table, skipping keys already stored; new ids by key."""
        cursor = connection.connection.driver_connection.cursor()
        _copy_rows(cursor, "inbox_staging", singles, frames, None)
        names = ", ".join(INBOX_COLUMNS)
        cursor.execute(
            f"INSERT INTO metrics_inbox ({names}) SELECT {names} FROM inbox_staging "
            "ON CONFLICT (workstation, sample_time) DO NOTHING "
            "RETURNING id, workstation, sample_time"
        )
        return {(workstation, at): row_id for row_id, workstation, at in cursor.fetchall()}


# Microseconds and an explicit UTC offset, which PostgreSQL reads exactly.
CSV_TIME = "%Y-%m-%dT%H:%M:%S%.6f+00:00"


def _results_by_key(
    connection: Connection, group: list[Submission], inserted: dict[Key, int]
) -> list[Stored]:
    """Each submission's ids when some of its keys were already stored (looked up here)."""
    keys = [_keys(rows) for rows, _ in group]
    missing = {key for submitted in keys for key in submitted} - inserted.keys()
    existing = {}
    if missing:
        found = connection.execute(
            select(MetricsInbox.id, MetricsInbox.workstation, MetricsInbox.sample_time).where(
                tuple_(MetricsInbox.workstation, MetricsInbox.sample_time).in_(list(missing))
            )
        )
        existing = {(r.workstation, r.sample_time): r.id for r in found}
    # A key sent twice in the transaction is new only where it comes first.
    reported: set[Key] = set()
    results = []
    for submitted in keys:
        duplicates = []
        for key in submitted:
            duplicates.append(key not in inserted or key in reported)
            reported.add(key)
        results.append(
            Stored(
                [inserted[key] if key in inserted else existing[key] for key in submitted],
                duplicates,
            )
        )
    return results


def _copy_rows(
    cursor: Cursor,
    table: str,
    singles: list[dict[str, Any]],
    frames: list[pl.DataFrame],
    ids: list[int] | None,
) -> None:
    """COPY the rows into `table`: singles row by row (psycopg's C path, cheapest for a few
    rows), batches as one CSV written by polars (no Python work per value); with `ids`, the
    rows' ids in that order."""
    columns = INBOX_COLUMNS if ids is None else ("id", *INBOX_COLUMNS)
    names = ", ".join(columns)
    if singles:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for index, row in enumerate(singles):
                values = [row[column] for column in INBOX_COLUMNS]
                copy.write_row(values if ids is None else [ids[index], *values])
    if frames:
        rows = pl.concat([_inbox_frame(frame) for frame in frames])
        if ids is not None:
            rows = rows.insert_column(0, pl.Series("id", ids[len(singles) :]))
        csv = io.BytesIO()
        rows.write_csv(csv, include_header=False, datetime_format=CSV_TIME)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(csv.getbuffer())


def _keys(rows: Rows) -> list[Key]:
    if isinstance(rows, pl.DataFrame):
        return list(zip(rows["workstation"].to_list(), rows["sample_time"].to_list(), strict=True))
    return [(row["workstation"], row["sample_time"]) for row in rows]


def _inbox_frame(rows: pl.DataFrame) -> pl.DataFrame:
    """A batch's rows with the inbox's columns, in INBOX_COLUMNS order."""
    return rows.select(INBOX_COLUMNS).cast(INBOX_SCHEMA)
