"""Job execution history: one row per TWS job run, unique on the plan's run id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 16:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "job_execution_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("job_stream", sa.String(length=16), nullable=False),
        sa.Column("job_name", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("return_code", sa.Integer(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("joblog", sa.Text(), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id"),
    )
    with op.batch_alter_table("job_execution_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_execution_history_workstation", ["workstation", "started_at"], unique=False
        )
        batch_op.create_index("ix_job_execution_history_started", ["started_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("job_execution_history", schema=None) as batch_op:
        batch_op.drop_index("ix_job_execution_history_started")
        batch_op.drop_index("ix_job_execution_history_workstation")

    op.drop_table("job_execution_history")
