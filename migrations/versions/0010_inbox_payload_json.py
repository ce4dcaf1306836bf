"""Inbox payloads as `json` (the text as received) instead of `jsonb` on PostgreSQL.

The inbox keeps each accepted document as it arrived; nothing queries inside it. `jsonb` parsed
every document into its binary form on insert, the largest single cost of ingest in the
database. SQLite stores JSON as text either way.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 21:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "metrics_inbox",
            "payload",
            type_=sa.JSON(),
            existing_type=postgresql.JSONB(),
            postgresql_using="payload::json",
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "metrics_inbox",
            "payload",
            type_=postgresql.JSONB(),
            existing_type=sa.JSON(),
            postgresql_using="payload::jsonb",
        )
