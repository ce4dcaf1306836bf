"""Capacity forecasts record the month calendar their forecast used: the days of history its
month-end effects were learned from and the calendar days with an effect (null: none).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.add_column(sa.Column("calendar", JsonDocument, nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.drop_column("calendar")
