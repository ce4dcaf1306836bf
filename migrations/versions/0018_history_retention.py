"""Hourly aggregates of the FTA samples (mean, max and p95 of every metric per FTA and hour),
kept for the retention period once the 5-minute rows are past the raw-history window; on
PostgreSQL both history tables are partitioned by month (partitions in the schema
history_partitions, a default partition for any month without its own), so an expired month
is dropped whole.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 17:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = (
    "cpu_percent",
    "memory_percent",
    "disk_percent",
    "latency_min_ms",
    "latency_avg_ms",
    "latency_max_ms",
    "packet_loss_percent",
    "tcp_connectivity",
    "disk_io_read_kbs",
    "disk_io_write_kbs",
    "process_count",
    "load_avg_1",
    "load_avg_5",
    "load_avg_15",
    "network_rx_kbs",
    "network_tx_kbs",
    "stdlist_mb",
)
STATISTICS = ("mean", "max", "p95")
SCHEMA = "history_partitions"
HISTORY = "workstation_metrics_history"
HOURLY = "workstation_metrics_hourly"


def _hourly_columns() -> list[sa.Column]:
    return [
        sa.Column("workstation", sa.String(16), primary_key=True),
        sa.Column("hour", UtcDateTime(), primary_key=True),
        sa.Column("samples", sa.Integer(), nullable=False),
        *(
            sa.Column(f"{metric}_{statistic}", sa.Float(), nullable=True)
            for metric in METRICS
            for statistic in STATISTICS
        ),
    ]


def _monthly_partitions(table: str, oldest: str) -> None:
    """A partition for each month from `oldest` (SQL) through next month, and a default one."""
    op.execute(f"CREATE TABLE {SCHEMA}.{table}_default PARTITION OF {table} DEFAULT")
    op.execute(
        f"""
        DO $$
        DECLARE month timestamp;
        BEGIN
          FOR month IN
            SELECT generate_series(
              date_trunc('month', least(({oldest}), now()) AT TIME ZONE 'UTC'),
              date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month',
              interval '1 month')
          LOOP
            EXECUTE format(
              'CREATE TABLE {SCHEMA}.%I PARTITION OF {table} FOR VALUES FROM (%L) TO (%L)',
              '{table}_' || to_char(month, 'YYYY_MM'),
              month AT TIME ZONE 'UTC',
              (month + interval '1 month') AT TIME ZONE 'UTC');
          END LOOP;
        END $$
        """
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(HOURLY, *_hourly_columns(), postgresql_partition_by="RANGE (hour)")
    op.create_index(f"ix_{HOURLY}_hour", HOURLY, ["hour"], postgresql_using="brin")
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(f"ix_{HISTORY}_time", HISTORY, ["sample_time"])
        return
    op.execute(f"CREATE SCHEMA {SCHEMA}")
    _monthly_partitions(HOURLY, "now()")
    op.rename_table(HISTORY, f"{HISTORY}_unpartitioned")
    op.execute(
        f"ALTER TABLE {HISTORY}_unpartitioned RENAME CONSTRAINT {HISTORY}_pkey "
        f"TO {HISTORY}_unpartitioned_pkey"
    )
    op.execute(
        f"CREATE TABLE {HISTORY} (LIKE {HISTORY}_unpartitioned INCLUDING DEFAULTS, "
        f"CONSTRAINT {HISTORY}_pkey PRIMARY KEY (workstation, sample_time)) "
        "PARTITION BY RANGE (sample_time)"
    )
    _monthly_partitions(HISTORY, f"SELECT min(sample_time) FROM {HISTORY}_unpartitioned")
    op.execute(f"INSERT INTO {HISTORY} SELECT * FROM {HISTORY}_unpartitioned")
    op.drop_table(f"{HISTORY}_unpartitioned")
    op.create_index(f"ix_{HISTORY}_time", HISTORY, ["sample_time"], postgresql_using="brin")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table(HOURLY)
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index(f"ix_{HISTORY}_time", HISTORY)
        return
    op.rename_table(HISTORY, f"{HISTORY}_partitioned")
    op.execute(
        f"ALTER TABLE {HISTORY}_partitioned RENAME CONSTRAINT {HISTORY}_pkey "
        f"TO {HISTORY}_partitioned_pkey"
    )
    op.execute(
        f"CREATE TABLE {HISTORY} (LIKE {HISTORY}_partitioned INCLUDING DEFAULTS, "
        f"CONSTRAINT {HISTORY}_pkey PRIMARY KEY (workstation, sample_time))"
    )
    op.execute(f"INSERT INTO {HISTORY} SELECT * FROM {HISTORY}_partitioned")
    op.drop_table(f"{HISTORY}_partitioned")
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
