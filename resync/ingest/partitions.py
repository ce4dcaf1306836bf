"""The month partitions of the history tables on PostgreSQL (migration 0018).

Each table has one partition per month in the schema history_partitions, named
`<table>_YYYY_MM`, and a default partition that takes any row whose month has none. A month's
partition is made ahead of its samples; rows the default partition already holds for that month
move into it. A month wholly past its table's cutoff is dropped whole, which frees its disk at
once where deleting rows would leave the space to vacuum.
"""

from datetime import UTC, datetime

from sqlalchemy import Connection, text

SCHEMA = "history_partitions"
# Each partitioned table with the column it is partitioned on.
TIME_COLUMNS = {"workstation_metrics_history": "sample_time", "workstation_metrics_hourly": "hour"}
# Dropping a partition locks its table: give up rather than queue ingest behind a long read.
LOCK_TIMEOUT = "10s"


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(month: datetime) -> datetime:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def month_partitions(connection: Connection, table: str) -> dict[datetime, str]:
    """The month partitions of `table` by their first instant (UTC)."""
    names = connection.scalars(
        text(
            "SELECT child.relname FROM pg_inherits"
            " JOIN pg_class child ON child.oid = inhrelid"
            " JOIN pg_class parent ON parent.oid = inhparent"
            " JOIN pg_namespace ON pg_namespace.oid = parent.relnamespace"
            " WHERE parent.relname = :table AND pg_namespace.nspname = current_schema()"
            " AND child.relname <> :default"
        ),
        {"table": table, "default": f"{table}_default"},
    )
    return {datetime.strptime(name[-7:], "%Y_%m").replace(tzinfo=UTC): name for name in names}


def create_month_partition(connection: Connection, table: str, month: datetime) -> bool:
    """Make `table`'s partition for `month` unless it exists, moving in the rows the default
    partition holds for it; whether it was made."""
    if month in month_partitions(connection, table):
        return False
    column, name = TIME_COLUMNS[table], f"{table}_{month:%Y_%m}"
    bounds = {"start": month, "end": next_month(month)}
    connection.execute(text(f"CREATE TABLE {SCHEMA}.{name} (LIKE {table} INCLUDING DEFAULTS)"))
    connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {SCHEMA}.{table}_default"
            f" WHERE {column} >= :start AND {column} < :end RETURNING *)"
            f" INSERT INTO {SCHEMA}.{name} SELECT * FROM moved"
        ),
        bounds,
    )
    start, end = (f"'{moment.isoformat()}'" for moment in bounds.values())
    connection.execute(
        text(
            f"ALTER TABLE {table} ATTACH PARTITION {SCHEMA}.{name}"
            f" FOR VALUES FROM ({start}) TO ({end})"
        )
    )
    return True


def drop_month_partitions(
    connection: Connection, table: str, before: datetime, only_empty: bool
) -> list[str]:
    """Drop `table`'s month partitions that end at or before `before` (with `only_empty`, those
    holding no row); the names dropped."""
    dropped = []
    for month, name in sorted(month_partitions(connection, table).items()):
        if next_month(month) > before:
            continue
        connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        if only_empty and connection.scalar(text(f"SELECT EXISTS (SELECT FROM {SCHEMA}.{name})")):
            continue
        connection.execute(text(f"DROP TABLE {SCHEMA}.{name}"))
        dropped.append(name)
    return dropped
