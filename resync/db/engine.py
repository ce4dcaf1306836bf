"""Engines and sessions for the application database (SQLite by default, PostgreSQL in prod)."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from resync.settings import get_settings

READ_ONLY = "resync_read_only"


def _json_serializer(value: Any) -> str:
    # pydantic-core: fast, and unlike orjson it keeps integers beyond 64 bits.
    return to_json(value).decode()


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, starts transactions (see _begin_sqlite): savepoints then work.
    dbapi_connection.isolation_level = None
    # WAL with synchronous=FULL: concurrent readers, and a commit is on disk when it returns.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # Deferred: in WAL a reader takes no lock a writer waits for, and waits for none.
        connection.exec_driver_sql("BEGIN")
        return
    # IMMEDIATE takes the write lock up front: a read-then-write transaction can never fail
    # with "database is locked" when another writer got there between its read and its write.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# Connections an engine keeps open; as many task runs of one flow run read at the same time.
POOL_SIZE = 10


def make_engine(url: str, pool_size: int = POOL_SIZE, max_overflow: int = 10) -> Engine:
    """An engine for `url` with Resync's JSON serializer and SQLite pragmas; `pool_size`
    connections kept open, up to `max_overflow` more opened when they are all in use."""
    # Errors and logs name the statement, never its values (key hashes, payloads, joblogs).
    options = {"pool_size": pool_size, "max_overflow": max_overflow, "hide_parameters": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, json_serializer=_json_serializer, connect_args={"timeout": 30}, **options
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, json_serializer=_json_serializer, pool_pre_ping=True, **options)


def read_only_engine(engine: Engine) -> Engine:
    """`engine` (sharing its pool) for transactions that only read: on SQLite they take no
    write lock, so readers never hold up a writer nor each other."""
    return engine.execution_options(**{READ_ONLY: True})


def conflict_insert(dialect_name: str, table: Any) -> Any:
    """INSERT with ON CONFLICT support (`on_conflict_do_nothing/_do_update`) for the dialect."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table)


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().sqlalchemy_url)


@lru_cache
def _session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _session_factory(engine or get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
