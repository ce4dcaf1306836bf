"""Capacity forecasts record how often the days held back in a backtest fell inside the P10-P90
band of their crossing dates' simulated paths (null: no band or too short a history).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 18:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.add_column(sa.Column("band_coverage", sa.Float, nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.drop_column("band_coverage")
