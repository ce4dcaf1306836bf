"""Maintenance runs: the liveness heartbeat of the flow process that drives each run.

The owning flow process writes `heartbeat_at` every few seconds, also while it waits paused
for a review. A new run leaves a run with a fresh heartbeat to its owner and takes over one
whose heartbeat went stale (its process died). Runs claimed before this revision have none
and count as stale.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 12:10:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("maintenance_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("maintenance_runs") as batch:
        batch.drop_column("heartbeat_at")
