"""PostgreSQL's month partitions of history: migration 0018 moves an existing history into them
and back, and a month's partition made late takes over the rows the default partition held."""

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import create_engine, insert, text

from resync.cli import alembic_config
from resync.db.models import WorkstationMetrics
from resync.ingest.partitions import create_month_partition, month_partitions
from tests.support.postgres import PostgresServer

NOW = datetime.now(UTC).replace(microsecond=0)
OLD = datetime(2025, 3, 14, 9, 5, tzinfo=UTC)


def row(moment: datetime, inbox_id: int) -> dict:
    return {
        "workstation": "FTA01",
        "sample_time": moment,
        "inbox_id": inbox_id,
        "packet_loss_percent": 0.0,
        "tcp_connectivity": 1,
    }


def where_rows_are(connection) -> dict[str, int]:
    found = connection.execute(
        text(
            "SELECT tableoid::regclass::text, count(*) FROM workstation_metrics_history GROUP BY 1"
        )
    )
    return dict(found.all())


def test_migration_moves_history_into_month_partitions_and_back(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database("partition_migration")
    config = alembic_config(url)
    command.upgrade(config, "0017")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(WorkstationMetrics.__table__), [row(OLD, 1), row(NOW, 2)])

    command.upgrade(config, "0018")
    with engine.connect() as connection:
        assert where_rows_are(connection) == {
            f"history_partitions.workstation_metrics_history_{OLD:%Y_%m}": 1,
            f"history_partitions.workstation_metrics_history_{NOW:%Y_%m}": 1,
        }
        months = month_partitions(connection, "workstation_metrics_history")
    # Every month from the oldest sample through next month.
    assert min(months) == datetime(2025, 3, 1, tzinfo=UTC)
    assert len(months) == (NOW.year - 2025) * 12 + NOW.month - 3 + 2

    command.downgrade(config, "0017")
    with engine.connect() as connection:
        assert where_rows_are(connection) == {"workstation_metrics_history": 2}
    engine.dispose()


def test_a_month_partition_made_late_takes_the_default_partitions_rows(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.create_database("partition_late")
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    month = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(WorkstationMetrics.__table__),
            [row(month, 1), row(month + timedelta(days=40), 2)],
        )
    with engine.begin() as connection:
        assert create_month_partition(connection, "workstation_metrics_history", month)
        assert not create_month_partition(connection, "workstation_metrics_history", month)
    with engine.connect() as connection:
        assert where_rows_are(connection) == {
            "history_partitions.workstation_metrics_history_2024_05": 1,
            "history_partitions.workstation_metrics_history_default": 1,
        }
    engine.dispose()
