"""The deployments' database connection, kept in a Prefect block by `prefect deploy` and read
back by every flow run, on the session's Prefect server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect_sqlalchemy import SqlAlchemyConnector

from resync.db.connection_block import DATABASE_BLOCK, save_connection_block, url_from_block
from resync.settings import Settings, get_settings
from resync.stack import deployment_settings

ROOT = Path(__file__).resolve().parents[2]
URL = "postgresql+psycopg://resync:p%40ss%2Fw0rd@db.example.com:5433/resync?sslmode=require"


@pytest.fixture(autouse=True)
def fresh_reads(prefect_api: None) -> Iterator[None]:
    url_from_block.cache_clear()
    yield
    url_from_block.cache_clear()
    get_settings.cache_clear()


def test_a_saved_connection_reads_back_whole_with_its_password_kept_secret() -> None:
    save_connection_block(URL, "test-connection")

    assert url_from_block("test-connection") == URL
    stored = SqlAlchemyConnector.load("test-connection").connection_info
    assert stored.password.get_secret_value() == "p@ss/w0rd"
    assert "p@ss" not in repr(stored)


def test_the_block_takes_the_place_of_the_database_url_in_a_flow_runs_settings() -> None:
    save_connection_block(URL, "test-deployed")

    settings = Settings(database_url="sqlite:///elsewhere.db", database_block="test-deployed")

    assert settings.sqlalchemy_url == URL


def test_prefect_deploy_saves_the_deployers_database_and_names_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("RESYNC_DATABASE_URL", URL)
    monkeypatch.delenv("RESYNC_DATABASE_BLOCK", raising=False)
    get_settings.cache_clear()

    built = deployment_settings()

    assert built["database_block"] == DATABASE_BLOCK
    assert url_from_block(DATABASE_BLOCK) == URL
