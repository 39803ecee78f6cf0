"""The provider proposes the term when inviting (PORTAL.md, "Novo relacionamento": "Tempo
indeterminado" or an end date); the secretary's acceptance keeps it unless she answers with
another.

Revision ID: relationships_0004
Revises: relationships_0003
"""
import sqlalchemy as sa
from alembic import op

revision = "relationships_0004"
down_revision = "relationships_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("until", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("until")
