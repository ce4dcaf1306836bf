"""FTA samples: a host reading the collector could not take is stored as null, never as 0.

Every metric column but packet_loss_percent and tcp_connectivity (always measured) becomes
nullable in the inbox and in history. A downgrade fails while null readings are stored.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 15:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READINGS = {
    "cpu_percent": sa.Float(),
    "memory_percent": sa.Float(),
    "disk_percent": sa.Float(),
    "disk_io_read_kbs": sa.Float(),
    "disk_io_write_kbs": sa.Float(),
    "process_count": sa.Integer(),
    "load_avg_1": sa.Float(),
    "load_avg_5": sa.Float(),
    "load_avg_15": sa.Float(),
    "network_rx_kbs": sa.Float(),
    "network_tx_kbs": sa.Float(),
}
TABLES = ("metrics_inbox", "workstation_metrics_history")


def _set_nullable(nullable: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column, kind in READINGS.items():
                batch.alter_column(column, existing_type=kind, nullable=nullable)


def upgrade() -> None:
    """Upgrade schema."""
    _set_nullable(True)


def downgrade() -> None:
    """Downgrade schema."""
    _set_nullable(False)
