"""Capacity forecasts store their risk level: "likely" (a crossing within the horizon more
probable than not, the P50 date within it) or "possible" (the P10 date within it, not the P50).
Existing rows get the level their dates imply.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 21:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.add_column(sa.Column("risk", sa.String(8), nullable=True))
    op.execute(
        "UPDATE capacity_forecasts SET risk = CASE "
        "WHEN saturation_date IS NOT NULL THEN 'likely' "
        "WHEN saturation_date_earliest IS NOT NULL THEN 'possible' END"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("capacity_forecasts") as batch:
        batch.drop_column("risk")
