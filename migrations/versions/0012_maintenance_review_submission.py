"""Maintenance reviews: when the reviewer submitted and which flow run received the answer.

`decided_at` is when a run wrote the decision, which may be hours after the reviewer pressed
Submit, or a later run's, for an answer given to a flow run that died while paused.
`submitted_at` is when Prefect stored the reviewer's form; `flow_run_id` the flow run whose
form received it (or whose review timed out). Reviews written before this revision have
neither.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("maintenance_reviews") as batch:
        batch.add_column(sa.Column("submitted_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("flow_run_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("maintenance_reviews") as batch:
        batch.drop_column("flow_run_id")
        batch.drop_column("submitted_at")
