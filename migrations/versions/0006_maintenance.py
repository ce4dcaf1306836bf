"""Predictive maintenance: runs, findings, review decisions and the audit of executed actions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 17:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JsonDocument = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _run_fk() -> sa.Column:
    return sa.Column(
        "run_id",
        sa.Uuid(),
        sa.ForeignKey("maintenance_runs.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "maintenance_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("flow_run_id", sa.Uuid(), nullable=True),
        sa.Column("thread_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("findings_at", UtcDateTime(), nullable=True),
        sa.Column("insight", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=100), nullable=False),
        sa.Column("analyst_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_id"),
    )
    op.create_index("ix_maintenance_runs_status", "maintenance_runs", ["status", "started_at"])
    op.create_table(
        "maintenance_findings",
        sa.Column("id", sa.Uuid(), nullable=False),
        _run_fk(),
        sa.Column("workstation", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("predicted_failure_date", sa.Date(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence_summary", sa.Text(), nullable=False),
        sa.Column("evidence", JsonDocument, nullable=False),
        sa.Column("actions", JsonDocument, nullable=False),
        sa.Column("review_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "workstation", "kind", name="uq_maintenance_findings_kind"),
    )
    op.create_index(
        "ix_maintenance_findings_workstation", "maintenance_findings", ["workstation", "kind"]
    )
    op.create_table(
        "maintenance_reviews",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        _run_fk(),
        sa.Column("action_id", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "action_id", name="uq_maintenance_reviews_action"),
    )
    op.create_table(
        "maintenance_action_executions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        _run_fk(),
        sa.Column("action_id", sa.String(length=200), nullable=False),
        sa.Column("command", sa.String(length=64), nullable=False),
        sa.Column("argv", JsonDocument, nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", UtcDateTime(), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("output", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "action_id", name="uq_maintenance_action_executions_action"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("maintenance_action_executions")
    op.drop_table("maintenance_reviews")
    op.drop_index("ix_maintenance_findings_workstation", table_name="maintenance_findings")
    op.drop_table("maintenance_findings")
    op.drop_index("ix_maintenance_runs_status", table_name="maintenance_runs")
    op.drop_table("maintenance_runs")
