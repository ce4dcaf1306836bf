"""Initial schema: API keys, metrics inbox and history, workstations, ingest batches, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 14:54:16.492155

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("usage_count", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "ingest_batches",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("first_inbox_id", sa.BigInteger(), nullable=False),
        sa.Column("last_inbox_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", UtcDateTime(), nullable=False),
        sa.Column("loaded_at", UtcDateTime(), nullable=True),
        sa.Column("claimed_rows", sa.Integer(), nullable=False),
        sa.Column("rejected_rows", sa.Integer(), nullable=False),
        sa.Column("loaded_rows", sa.Integer(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("last_inbox_id"),
    )
    op.create_table(
        "metrics_inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "payload",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("sample_time", UtcDateTime(), nullable=False),
        sa.Column("cpu_percent", sa.Float(), nullable=False),
        sa.Column("memory_percent", sa.Float(), nullable=False),
        sa.Column("disk_percent", sa.Float(), nullable=False),
        sa.Column("latency_min_ms", sa.Float(), nullable=True),
        sa.Column("latency_avg_ms", sa.Float(), nullable=True),
        sa.Column("latency_max_ms", sa.Float(), nullable=True),
        sa.Column("packet_loss_percent", sa.Float(), nullable=False),
        sa.Column("tcp_connectivity", sa.SmallInteger(), nullable=False),
        sa.Column("disk_io_read_kbs", sa.Float(), nullable=False),
        sa.Column("disk_io_write_kbs", sa.Float(), nullable=False),
        sa.Column("process_count", sa.Integer(), nullable=False),
        sa.Column("load_avg_1", sa.Float(), nullable=False),
        sa.Column("load_avg_5", sa.Float(), nullable=False),
        sa.Column("load_avg_15", sa.Float(), nullable=False),
        sa.Column("network_rx_kbs", sa.Float(), nullable=False),
        sa.Column("network_tx_kbs", sa.Float(), nullable=False),
        sa.Column("latency_method", sa.String(length=8), nullable=True),
        sa.Column("stdlist_mb", sa.Float(), nullable=True),
        sa.Column(
            "message_files",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workstation", "sample_time", name="uq_metrics_inbox_sample"),
    )
    op.create_table(
        "workstation_metrics_history",
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("sample_time", UtcDateTime(), nullable=False),
        sa.Column("inbox_id", sa.BigInteger(), nullable=False),
        sa.Column("cpu_percent", sa.Float(), nullable=False),
        sa.Column("memory_percent", sa.Float(), nullable=False),
        sa.Column("disk_percent", sa.Float(), nullable=False),
        sa.Column("latency_min_ms", sa.Float(), nullable=True),
        sa.Column("latency_avg_ms", sa.Float(), nullable=True),
        sa.Column("latency_max_ms", sa.Float(), nullable=True),
        sa.Column("packet_loss_percent", sa.Float(), nullable=False),
        sa.Column("tcp_connectivity", sa.SmallInteger(), nullable=False),
        sa.Column("disk_io_read_kbs", sa.Float(), nullable=False),
        sa.Column("disk_io_write_kbs", sa.Float(), nullable=False),
        sa.Column("process_count", sa.Integer(), nullable=False),
        sa.Column("load_avg_1", sa.Float(), nullable=False),
        sa.Column("load_avg_5", sa.Float(), nullable=False),
        sa.Column("load_avg_15", sa.Float(), nullable=False),
        sa.Column("network_rx_kbs", sa.Float(), nullable=False),
        sa.Column("network_tx_kbs", sa.Float(), nullable=False),
        sa.Column("latency_method", sa.String(length=8), nullable=True),
        sa.Column("stdlist_mb", sa.Float(), nullable=True),
        sa.Column(
            "message_files",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("workstation", "sample_time"),
    )
    op.create_table(
        "workstations",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("first_seen_at", UtcDateTime(), nullable=False),
        sa.Column("last_sample_at", UtcDateTime(), nullable=False),
        sa.Column("latency_method", sa.String(length=8), nullable=True),
        sa.Column("host", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("tws", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "alerts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("notified_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workstation"],
            ["workstations.name"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_alerts_open",
            ["workstation", "rule"],
            unique=True,
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alerts_open",
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )

    op.drop_table("alerts")
    op.drop_table("workstations")
    op.drop_table("workstation_metrics_history")
    op.drop_table("metrics_inbox")
    op.drop_table("ingest_batches")
    op.drop_table("api_keys")
