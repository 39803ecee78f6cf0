"""Tables of the throwaway services used to test the messaging plumbing."""
import sqlalchemy as sa
from alembic import op

from ponte import messaging

revision = "ledger_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    messaging.create_tables(op.get_bind())
    op.create_table("entries", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("amount", sa.Integer, nullable=False))


def downgrade() -> None:
    op.drop_table("entries")
