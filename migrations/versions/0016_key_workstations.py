"""API keys bound to their FTAs: `workstations` lists the workstations whose samples a key may
post (ingest answers 403 for any other); null, as for every key created before, means any.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:05:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("workstations", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("workstations")
