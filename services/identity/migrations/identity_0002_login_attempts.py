"""Identity: login throttles count the attempts whose password is being checked, so parallel
attempts cannot pass the lockout (issue 7).

Revision ID: identity_0002
Revises: identity_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_throttles") as table:
        table.add_column(sa.Column("pending", sa.Integer, nullable=False,
                                   server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("login_throttles") as table:
        table.drop_column("pending")
