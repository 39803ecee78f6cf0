"""An index on ``processed_events.processed_at``, so the relay's prune of old rows does not
read the whole table.

Revision ID: identity_0003
Revises: identity_0002
"""
from alembic import op

from ponte import messaging

revision = "identity_0003"
down_revision = "identity_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    messaging.index_processed_at(op.get_bind())


def downgrade() -> None:
    messaging.drop_processed_at_index(op.get_bind())
