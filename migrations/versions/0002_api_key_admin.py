"""API-key admin: rotation fields, the audit trail of key events, hourly usage counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:29:57.807773

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from resync.db.models import UtcDateTime

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "api_key_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key_events", schema=None) as batch_op:
        batch_op.create_index("ix_api_key_events_key", ["key_id", "occurred_at"], unique=False)

    op.create_table(
        "api_key_hourly_usage",
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("hour", UtcDateTime(), nullable=False),
        sa.Column("uses", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "hour"),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("grace_until", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("rotated_from_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("rotated_from_id")
        batch_op.drop_column("grace_until")
        batch_op.drop_column("replaced_by_id")

    op.drop_table("api_key_hourly_usage")
    with op.batch_alter_table("api_key_events", schema=None) as batch_op:
        batch_op.drop_index("ix_api_key_events_key")

    op.drop_table("api_key_events")
