"""Capacity forecasts: the calibrated probability that a saturation happens by its date.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 21:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.add_column(sa.Column("saturation_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.drop_column("saturation_probability")
