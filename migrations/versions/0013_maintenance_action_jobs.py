"""Maintenance actions run as ad hoc jobs through the master, and what they changed.

An execution keeps the job it was submitted as (`job_name`, derived from the run and the action,
found again by name after a crash; `job_id`, the master's answer), when it was submitted, the
job's last status (or dry_run, refused, unavailable, timed_out), and the effect seen in the
FTA's next samples: `effect` helped or no_effect, the metric and its value before and after.
A finding records the `outcome` of its actions (resolved, or action_failed, which notifies the
reviewer once: `notified_at`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 15:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("maintenance_action_executions") as batch:
        batch.add_column(sa.Column("job_name", sa.String(40), nullable=True))
        batch.add_column(sa.Column("job_id", sa.String(200), nullable=True))
        batch.add_column(sa.Column("job_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("submitted_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("effect", sa.String(16), nullable=True))
        batch.add_column(sa.Column("effect_metric", sa.String(64), nullable=True))
        batch.add_column(sa.Column("effect_before", sa.Float(), nullable=True))
        batch.add_column(sa.Column("effect_after", sa.Float(), nullable=True))
        batch.add_column(sa.Column("effect_observed_at", UtcDateTime(), nullable=True))
    with op.batch_alter_table("maintenance_findings") as batch:
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=True))
        batch.add_column(sa.Column("notified_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("maintenance_findings") as batch:
        batch.drop_column("notified_at")
        batch.drop_column("outcome")
    with op.batch_alter_table("maintenance_action_executions") as batch:
        for column in (
            "effect_observed_at",
            "effect_after",
            "effect_before",
            "effect_metric",
            "effect",
            "submitted_at",
            "job_status",
            "job_id",
            "job_name",
        ):
            batch.drop_column(column)
