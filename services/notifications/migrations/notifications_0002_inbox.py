"""The inbox, read models of accounts, providers and secretaries' grants, preferences, stream
tickets and bulletins; e-mail statuses become pending / retrying / sent / failed.

Revision ID: notifications_0002
Revises: notifications_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "notifications_0002"
down_revision = "notifications_0001"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.execute("UPDATE emails SET status = CASE WHEN attempts = 0 THEN 'pending' "
               "ELSE 'retrying' END WHERE status = 'queued'")
    op.create_table(
        "notifications",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.String(500)),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("read_at", Instant),
        sa.UniqueConstraint("event_id", "account_id", name="uq_notifications_event_recipient"),
    )
    op.create_index("ix_notifications_account", "notifications", ["account_id", "seq"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20)),
        sa.Column("email", sa.String(320)),
        sa.Column("name", sa.String(300)),
        sa.Column("locale", sa.String(10)),
        sa.Column("provider_id", sa.String(36)),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
    )
    op.create_index("ix_accounts_provider_id", "accounts", ["provider_id"])
    op.create_table(
        "providers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("legal_name", sa.String(300)),
        sa.Column("provider_type", sa.String(20)),
        sa.Column("updated_at", Instant, nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("relationship_id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("secretary_id", sa.String(36), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("occurred_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_grants_provider_id", "grants", ["provider_id"])
    op.create_index("ix_grants_secretary_id", "grants", ["secretary_id"])
    op.create_table(
        "preferences",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(100), primary_key=True),
        sa.Column("email", sa.Boolean, nullable=False),
    )
    op.create_table(
        "account_settings",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("patient_messages", sa.Boolean, nullable=False),
    )
    op.create_table(
        "stream_tickets",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("caller", sa.JSON, nullable=False),
        sa.Column("expires_at", Instant, nullable=False),
        sa.Column("used_at", Instant),
    )
    op.create_index("ix_stream_tickets_expires_at", "stream_tickets", ["expires_at"])
    op.create_table(
        "bulletins",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("provider_types", sa.JSON),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
    )
    op.create_table(
        "bulletin_attachments",
        sa.Column("attachment_id", sa.String(36), primary_key=True),
        sa.Column("bulletin_id", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    for table in ("bulletin_attachments", "bulletins", "stream_tickets", "account_settings",
                  "preferences", "grants", "providers", "accounts", "notifications"):
        op.drop_table(table)
