"""A secretary's providers show their type and e-mail beside the CNPJ/CPF (000 §4.2): the read
model of providers keeps them from identity's events.

Revision ID: relationships_0003
Revises: relationships_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "relationships_0003"
down_revision = "relationships_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("provider_type", sa.String(20), nullable=True))
        batch.add_column(sa.Column("email", sa.String(320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.drop_column("email")
        batch.drop_column("provider_type")
