"""Workstations keep the latest master link an FTA reported (the master's ports it checked and
whether they answered), beside its host and TWS facts.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 16:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("workstations") as batch:
        batch.add_column(sa.Column("master_link", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("workstations") as batch:
        batch.drop_column("master_link")
