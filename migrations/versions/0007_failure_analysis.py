"""Decision support: the root-cause card of each failed job run and the recorded resolutions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "failure_analyses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "run_id",
            sa.String(length=64),
            sa.ForeignKey("job_execution_history.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("job_stream", sa.String(length=16), nullable=False),
        sa.Column("job_name", sa.String(length=40), nullable=False),
        sa.Column("failed_at", UtcDateTime(), nullable=False),
        sa.Column("return_code", sa.Integer(), nullable=True),
        sa.Column("failure_class", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", JsonDocument, nullable=False),
        sa.Column("resource_state", JsonDocument, nullable=False),
        sa.Column("run_history", JsonDocument, nullable=False),
        sa.Column("similar_cases", JsonDocument, nullable=False),
        sa.Column("suggested_fix", sa.Text(), nullable=False),
        sa.Column("joblog", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=100), nullable=False),
        sa.Column("analyst_note", sa.Text(), nullable=True),
        sa.Column("flow_run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id"),
    )
    op.create_index(
        "ix_failure_analyses_job",
        "failure_analyses",
        ["workstation", "job_stream", "job_name"],
    )
    op.create_index("ix_failure_analyses_failed_at", "failure_analyses", ["failed_at"])
    op.create_table(
        "failure_resolutions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column(
            "run_id",
            sa.String(length=64),
            sa.ForeignKey("failure_analyses.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("failure_class", sa.String(length=32), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failure_resolutions_run", "failure_resolutions", ["run_id", "recorded_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_failure_resolutions_run", table_name="failure_resolutions")
    op.drop_table("failure_resolutions")
    op.drop_index("ix_failure_analyses_failed_at", table_name="failure_analyses")
    op.drop_index("ix_failure_analyses_job", table_name="failure_analyses")
    op.drop_table("failure_analyses")
