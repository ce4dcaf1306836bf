"""Capacity forecasts: one row per run and one per FTA × resource forecast in a run.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 17:30:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "capacity_forecast_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flow_run_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("history_days", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("workstation_count", sa.Integer(), nullable=False),
        sa.Column("analyst", sa.String(length=100), nullable=False),
        sa.Column("insight", sa.Text(), nullable=False),
        sa.Column("analyst_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capacity_forecast_runs", schema=None) as batch_op:
        batch_op.create_index("ix_capacity_forecast_runs_started", ["started_at"], unique=False)

    op.create_table(
        "capacity_forecasts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("resource", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("current_value", sa.Float(), nullable=True),
        sa.Column("trend_per_day", sa.Float(), nullable=True),
        sa.Column("r_squared", sa.Float(), nullable=True),
        sa.Column("model", sa.String(length=40), nullable=True),
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("saturation_date", UtcDateTime(), nullable=True),
        sa.Column("saturation_date_earliest", UtcDateTime(), nullable=True),
        sa.Column("order_by_date", UtcDateTime(), nullable=True),
        sa.Column("days_to_saturation", sa.Float(), nullable=True),
        sa.Column("recommendation", JsonDocument, nullable=True),
        sa.Column("series", JsonDocument, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["capacity_forecast_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "run_id", "workstation", "resource", name="uq_capacity_forecasts_series"
        ),
    )
    with op.batch_alter_table("capacity_forecasts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_capacity_forecasts_workstation", ["workstation", "resource"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts", schema=None) as batch_op:
        batch_op.drop_index("ix_capacity_forecasts_workstation")
    op.drop_table("capacity_forecasts")
    with op.batch_alter_table("capacity_forecast_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_capacity_forecast_runs_started")
    op.drop_table("capacity_forecast_runs")
