"""Capacity runs name their scope; forecasts keep their crossing distribution and reliability.

A run is "estate" (every FTA and resource with the standard history window) or "partial" (an
ad hoc run narrowed by FTA, resource or window), with the FTAs and resources it was asked for.
A forecast keeps its P90 crossing date beside P50 and P10, the probability of a crossing within
the horizon, seasonal-naive's backtest MASE and why the forecast is unreliable when it is, and
the days of history it had (with when a full forecast becomes possible, for provisional ones).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 15:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_forecast_runs") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="estate"))
        batch.add_column(sa.Column("workstation_filter", JsonDocument, nullable=True))
        batch.add_column(sa.Column("resources", JsonDocument, nullable=True))
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.add_column(sa.Column("saturation_date_latest", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("crossing_probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("naive_mase", sa.Float(), nullable=True))
        batch.add_column(sa.Column("unreliable_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("history_days", sa.Float(), nullable=True))
        batch.add_column(sa.Column("full_forecast_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        for column in (
            "full_forecast_at",
            "history_days",
            "unreliable_reason",
            "naive_mase",
            "crossing_probability",
            "saturation_date_latest",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("capacity_forecast_runs") as batch:
        for column in ("resources", "workstation_filter", "scope"):
            batch.drop_column(column)
