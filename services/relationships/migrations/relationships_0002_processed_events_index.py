"""An index on ``processed_events.processed_at``, so the relay's prune of old rows does not
read the whole table.

Revision ID: relationships_0002
Revises: relationships_0001
"""
from alembic import op

from ponte import messaging

revision = "relationships_0002"
down_revision = "relationships_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    messaging.index_processed_at(op.get_bind())


def downgrade() -> None:
    messaging.drop_processed_at_index(op.get_bind())
