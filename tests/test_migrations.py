"""The migrations build exactly the tables the models declare, on both backends, and unwind."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from resync.cli import alembic_config
from resync.db.models import Base
from tests.support.postgres import PostgresServer
from tests.support.tiers import BACKENDS

RUN = uuid.UUID(int=1)


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"empty_{tmp_path.name[-20:].lower().replace('-', '_')}")


def test_history_is_one_line() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_upgrade_matches_models_and_downgrade_unwinds(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    engine = create_engine(empty_database)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_stored_forecasts_get_the_risk_level_their_dates_imply(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0020")
    engine = create_engine(empty_database)
    day = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO capacity_forecast_runs (id, started_at, history_days, horizon_days, "
                "workstation_count, analyst, insight, scope) "
                "VALUES (:id, :day, 30, 90, 3, 'deterministic', '', 'estate')"
            ),
            {"id": RUN.hex, "day": day},
        )
        for name, p50, p10 in (("FTA-A", day, day), ("FTA-B", None, day), ("FTA-C", None, None)):
            connection.execute(
                text(
                    "INSERT INTO capacity_forecasts (id, run_id, workstation, resource, status, "
                    "saturation_date, saturation_date_earliest, created_at) VALUES (:id, :run, "
                    ":name, 'disk', 'forecast', :p50, :p10, :day)"
                ),
                {"id": uuid.uuid4().hex, "run": RUN.hex, "name": name, "p50": p50, "p10": p10,
                 "day": day},
            )  # fmt: skip
    command.upgrade(config, "head")
    with engine.connect() as connection:
        query = text("SELECT workstation, risk FROM capacity_forecasts ORDER BY workstation")
        levels = connection.execute(query).all()
    engine.dispose()
    assert [tuple(row) for row in levels] == [
        ("FTA-A", "likely"),
        ("FTA-B", "possible"),
        ("FTA-C", None),
    ]
