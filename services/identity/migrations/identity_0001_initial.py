"""Identity: accounts, providers and their sites, profile images, one-time links, sessions,
refresh tokens and login throttles; plus the shared messaging tables.

Revision ID: identity_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from ponte import messaging

revision = "identity_0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(36)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    messaging.create_tables(op.get_bind())
    op.create_table(
        "providers",
        sa.Column("id", ID, nullable=False),
        sa.Column("document", sa.String(14), nullable=False),
        sa.Column("person_type", sa.String(20), nullable=False),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("secondary_email", sa.String(254)),
        sa.Column("provider_type", sa.String(20)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("address", sa.JSON),
        sa.Column("phones", sa.JSON, nullable=False),
        sa.Column("opening_hours", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("created_by", ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_providers"),
        sa.UniqueConstraint("document", name="uq_providers_document"),
    )
    op.create_table(
        "sites",
        sa.Column("id", ID, nullable=False),
        sa.Column("provider_id", ID, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_shared", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sites"),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"],
                                name="fk_sites_provider_id"),
    )
    op.create_index("ix_sites_provider_id", "sites", ["provider_id"])
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254)),
        sa.Column("secondary_email", sa.String(254)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("cpf", sa.String(11)),
        sa.Column("cpf_key", sa.String(11)),
        sa.Column("sex", sa.String(10)),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("provider_id", ID),
        sa.Column("site_id", ID),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("terms_accepted_at", WHEN),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("deleted_at", WHEN),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("email_key", name="uq_accounts_email_key"),
        sa.UniqueConstraint("kind", "cpf_key", name="uq_accounts_kind_cpf_key"),
        sa.UniqueConstraint("site_id", name="uq_accounts_site_id"),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"],
                                name="fk_accounts_provider_id"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name="fk_accounts_site_id"),
    )
    op.create_index("ix_accounts_name_key", "accounts", ["name_key"])
    op.create_index("ix_accounts_provider_id", "accounts", ["provider_id"])
    op.create_table(
        "provider_images",
        sa.Column("id", ID, nullable=False),
        sa.Column("provider_id", ID, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_provider_images"),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"],
                                name="fk_provider_images_provider_id"),
    )
    op.create_index("ix_provider_images_provider_id", "provider_images", ["provider_id"])
    op.create_table(
        "links",
        sa.Column("id", ID, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint("digest", name="uq_links_digest"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_links_account_id"),
    )
    op.create_index("ix_links_account_id", "links", ["account_id"])
    op.create_table(
        "sessions",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("remember_me", sa.Boolean, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN),
        sa.Column("revoked_reason", sa.String(30)),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name="fk_sessions_account_id"),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
    op.create_index("ix_sessions_revoked_at", "sessions", ["revoked_at"])
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("session_id", ID, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("retired_at", WHEN),
        sa.PrimaryKeyConstraint("digest", name="pk_refresh_tokens"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"],
                                name="fk_refresh_tokens_session_id"),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locks", sa.Integer, nullable=False),
        sa.Column("locked_until", WHEN),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttles"),
    )


def downgrade() -> None:
    for table in ("login_throttles", "refresh_tokens", "sessions", "links", "provider_images",
                  "accounts", "sites", "providers"):
        op.drop_table(table)
