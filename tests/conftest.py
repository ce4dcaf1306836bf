"""Shared fixtures: a real PostgreSQL server, databases on both backends, Prefect, the API;
each test's tier marker; under CI, no test may skip.

The API, Prefect's server and Alembic are imported inside the fixtures that need them, so
collecting (and a run of the unit tier) does not pay for them.
"""

import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from resync.db.engine import get_engine, session_scope
from resync.keys import admin as key_admin
from resync.settings import get_settings
from tests.support.clock import AdvancingClock
from tests.support.postgres import TEST_CLUSTER_SETTINGS, PostgresServer
from tests.support.tiers import BACKENDS, heaviest_first, tiers_of

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from tests.support.live_api import LiveApi

# The temporary Prefect server's telemetry only adds writes (and lock waits) to its SQLite.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The tests start the API hundreds of times; a full collection at each start cost 0.5-2 s.
os.environ.setdefault("RESYNC_API_GC_FREEZE", "false")
# Tests that read usage counts wait for a flush: every 50 ms instead of every 2 s.
os.environ.setdefault("RESYNC_USAGE_FLUSH_INTERVAL_SECONDS", "0.05")

_database_numbers = itertools.count()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marked = {marker.name for marker in item.iter_markers()}
        for tier in sorted(tiers_of(item) - marked):
            item.add_marker(tier)
    items[:] = heaviest_first(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Under CI a skipped test is a failure: a missing chromium, PostgreSQL or npm bundle
    there means the suite did not run, whatever the test's own message says."""
    report = yield
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI is set, so a test may not skip: {reason}"
    return report


def _migrate(url: str) -> None:
    from alembic import command

    from resync.cli import alembic_config

    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(TEST_CLUSTER_SETTINGS).start()
    _migrate(server.create_database("resync_template"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "resync.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """A fresh, migrated database on each backend; the environment points Resync at it."""
    if request.param == "sqlite":
        path = tmp_path / "resync.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database(f"test_{next(_database_numbers)}", template="resync_template")
    previous = os.environ.get("RESYNC_DATABASE_URL")
    os.environ["RESYNC_DATABASE_URL"] = url
    _clear_caches()
    yield url
    get_engine().dispose()
    if previous is None:
        os.environ.pop("RESYNC_DATABASE_URL", None)
    else:
        os.environ["RESYNC_DATABASE_URL"] = previous
    _clear_caches()


def _clear_caches() -> None:
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Engine:
    return get_engine()


@pytest.fixture
def make_key(database_url: str) -> Callable[..., tuple[uuid.UUID, str]]:
    """make_key(scopes, expires_in_days=None) → (key id, plaintext key)."""

    def make(scopes: list[str], expires_in_days: int | None = None) -> tuple[uuid.UUID, str]:
        with session_scope() as session:
            record, plaintext = key_admin.create_key(
                session,
                key_admin.Actor("tests"),
                name=f"test-{uuid.uuid4().hex[:8]}",
                scopes=scopes,
                expires_in_days=expires_in_days,
            )
        return record.id, plaintext

    return make


@pytest.fixture
def revoke_key(database_url: str) -> Callable[[uuid.UUID], None]:
    def revoke(key_id: uuid.UUID) -> None:
        with session_scope() as session:
            key_admin.revoke_key(
                session, key_id, key_admin.Actor("tests"), "test", keep_an_admin=False
            )

    return revoke


@pytest.fixture
def clock() -> AdvancingClock:
    """The in-process API's key-cache clock: `clock.advance(ttl)` instead of sleeping."""
    return AdvancingClock()


@pytest.fixture
def client(database_url: str, clock: AdvancingClock) -> Iterator["TestClient"]:
    """The API in-process on the test database (lifespan started: writer, key cache, usage)."""
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app(get_settings(), key_cache_clock=clock)) as test_client:
        yield test_client


@pytest.fixture
def outside_runs() -> Iterator[None]:
    """Tasks called with `.fn()`, outside any flow or task run: their run logger logs nowhere."""
    from prefect.logging import disable_run_logger

    with disable_run_logger():
        yield


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """A real, temporary Prefect server for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):
        yield


@pytest.fixture
def live_api(database_url: str, prefect_api: None) -> Iterator["LiveApi"]:
    """The API as a uvicorn subprocess on the test database (see tests/support/live_api.py)."""
    from tests.support.live_api import LiveApi

    api = LiveApi(database_url)
    api.start()
    yield api
    api.stop()
