"""Providers are searched by the words of their legal name and by city (``name_key``,
``city_key``), and accounts' ``name_key`` splits words at punctuation too (``search_key``).

Revision ID: identity_0004
Revises: identity_0003
"""
import sqlalchemy as sa
from alembic import op

from ponte.contracts.identity import search_words

revision = "identity_0004"
down_revision = "identity_0003"
branch_labels = None
depends_on = None

providers = sa.table("providers", sa.column("id", sa.String), sa.column("legal_name", sa.String),
                     sa.column("address", sa.JSON), sa.column("name_key", sa.String),
                     sa.column("city_key", sa.String))
accounts = sa.table("accounts", sa.column("id", sa.String), sa.column("name", sa.String),
                    sa.column("name_key", sa.String))


def _key(text: object) -> str | None:
    return " ".join(search_words(text))[:200] if isinstance(text, str) else None


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("name_key", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("city_key", sa.String(200), nullable=True))
        batch.create_index("ix_providers_name_key", ["name_key"])
    with op.batch_alter_table("providers") as batch:
        batch.alter_column("name_key", server_default=None)
    bind = op.get_bind()
    for row in bind.execute(sa.select(providers.c.id, providers.c.legal_name,
                                      providers.c.address)).all():
        city = row.address.get("city") if isinstance(row.address, dict) else None
        bind.execute(providers.update().where(providers.c.id == row.id).values(
            name_key=_key(row.legal_name) or "", city_key=_key(city)))
    for row in bind.execute(sa.select(accounts.c.id, accounts.c.name)).all():
        bind.execute(accounts.update().where(accounts.c.id == row.id).values(
            name_key=_key(row.name) or ""))


def downgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.drop_index("ix_providers_name_key")
        batch.drop_column("city_key")
        batch.drop_column("name_key")
