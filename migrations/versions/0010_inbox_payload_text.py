"""Inbox payloads as text: the document exactly as received, never parsed by the database.

Nothing queries inside an inbox document. On PostgreSQL `jsonb` parsed every document into its
binary form on insert, the largest single cost of ingest in the database; the API has already
validated the JSON.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 21:30:00.000000

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
    with op.batch_alter_table("metrics_inbox") as batch:
        batch.alter_column(
            "payload",
            type_=sa.Text(),
            existing_type=sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            postgresql_using="payload::text",
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("metrics_inbox") as batch:
        batch.alter_column(
            "payload",
            type_=sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            existing_type=sa.Text(),
            postgresql_using="payload::jsonb",
        )
