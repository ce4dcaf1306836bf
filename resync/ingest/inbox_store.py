"""Storing accepted samples in `metrics_inbox`: the SQL behind the API's inbox writer.

A group of submissions is written in one transaction, idempotently on (workstation,
sample_time). On PostgreSQL the rows are first COPY'd as if all were new; when a key was stored
before (a re-send), or when PostgreSQL cancelled the transaction to end a deadlock with another
writer, the group is written again through a staging table that skips what is stored. SQLite
takes an INSERT … ON CONFLICT DO NOTHING.
"""

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from psycopg import Cursor
from psycopg.errors import DeadlockDetected, UniqueViolation
from sqlalchemy import Connection, Engine, Text, bindparam, select, text, tuple_, type_coerce
from sqlalchemy.dialects import sqlite

from resync.db.models import MetricsInbox
from resync.ingest.inbox import INBOX_COLUMNS, INBOX_SCHEMA, hold_inbox_for_write

logger = logging.getLogger(__name__)

Key = tuple[str, datetime]
Rows = list[dict[str, Any]] | pl.DataFrame
WRITE_ATTEMPTS = 4
# Microseconds and an explicit UTC offset, which PostgreSQL reads exactly.
CSV_TIME = "%Y-%m-%dT%H:%M:%S%.6f+00:00"


@dataclass(frozen=True)
class Stored:
    """The inbox ids of a submission's rows, in order, and which were stored before."""

    ids: list[int]
    duplicates: list[bool]


def open_writer_connection(engine: Engine) -> Connection:
    """A connection for one writer to keep open (on PostgreSQL with its own staging table)."""
    connection = engine.connect()
    if connection.dialect.name == "postgresql":
        names = ", ".join(INBOX_COLUMNS)
        connection.exec_driver_sql(
            f"CREATE TEMP TABLE inbox_staging ON COMMIT DELETE ROWS AS "
            f"SELECT {names} FROM metrics_inbox WITH NO DATA"
        )
        connection.commit()
    return connection


def check_database(engine: Engine) -> None:
    """Raise unless the database the inbox is in answers (the API's readiness)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def store_submissions(connection: Connection, submissions: list[Rows]) -> list[Stored]:
    """Store the submissions (lists of inbox rows or frames of them) all or none; what each
    submission's rows got, in the order given."""
    # Single samples first: the stores write them before the batches.
    order = sorted(range(len(submissions)), key=lambda i: isinstance(submissions[i], pl.DataFrame))
    group = [submissions[i] for i in order]
    singles = [row for rows in group if isinstance(rows, list) for row in rows]
    frames = [rows for rows in group if isinstance(rows, pl.DataFrame)]
    stored = dict(zip(order, _store_group(connection, group, singles, frames), strict=True))
    return [stored[index] for index in range(len(submissions))]


def _store_group(
    connection: Connection,
    group: list[Rows],
    singles: list[dict[str, Any]],
    frames: list[pl.DataFrame],
) -> list[Stored]:
    all_new = connection.dialect.name == "postgresql"
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return _transaction(connection, group, singles, frames, all_new)
        except UniqueViolation:
            pass
        except DeadlockDetected:
            logger.warning("inbox write cancelled as a deadlock victim; writing it again")
        all_new = False
    return _transaction(connection, group, singles, frames, all_new)


def _transaction(
    connection: Connection,
    group: list[Rows],
    singles: list[dict[str, Any]],
    frames: list[pl.DataFrame],
    all_new: bool,
) -> list[Stored]:
    with connection.begin():
        hold_inbox_for_write(connection)
        if all_new:
            ids = _store_new(connection, singles, frames)
        else:
            store = _store_postgresql if connection.dialect.name == "postgresql" else _store_sqlite
            return _results_by_key(connection, group, store(connection, singles, frames))
    results, offset = [], 0
    for rows in group:
        results.append(Stored(ids[offset : offset + len(rows)], [False] * len(rows)))
        offset += len(rows)
    return results


def _store_sqlite(
    connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
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
    connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
) -> list[int]:
    """Rows whose keys are all new, COPY'd straight into the inbox; their ids in row order.

    A key already stored raises UniqueViolation: the caller then uses `_store_postgresql`.
    """
    cursor = connection.connection.driver_connection.cursor()
    count = len(singles) + sum(len(frame) for frame in frames)
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('metrics_inbox', 'id')) FROM generate_series(1, %s)",
        (count,),
    )
    ids = [row_id for (row_id,) in cursor.fetchall()]
    _copy_rows(cursor, "metrics_inbox", singles, frames, ids)
    return ids


def _store_postgresql(
    connection: Connection, singles: list[dict[str, Any]], frames: list[pl.DataFrame]
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


def _results_by_key(
    connection: Connection, group: list[Rows], inserted: dict[Key, int]
) -> list[Stored]:
    """Each submission's ids when some of its keys were already stored (looked up here)."""
    keys = [_keys(rows) for rows in group]
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
