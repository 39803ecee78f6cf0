"""``emails.token``: the token an identity e-mail carries, for its ``X-Ponte-Token`` header.

Revision ID: notifications_0004
Revises: notifications_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "notifications_0004"
down_revision = "notifications_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("token", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("token")
