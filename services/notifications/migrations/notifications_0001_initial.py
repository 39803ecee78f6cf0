"""E-mails and their delivery attempts, plus the shared messaging tables.

Revision ID: notifications_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from ponte import messaging

revision = "notifications_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    messaging.create_tables(op.get_bind())
    op.create_table(
        "emails",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("notification_type", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("correlation_id", sa.String(64)),
        sa.UniqueConstraint("event_id", "notification_type", "recipient", name="uq_emails_event"),
    )
    op.create_index("ix_emails_due", "emails", ["status", "next_attempt_at"])
    op.create_table(
        "email_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email_id", sa.String(36), sa.ForeignKey("emails.id"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("retry_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("email_id", "attempt", name="uq_email_attempts_number"),
    )


def downgrade() -> None:
    op.drop_table("email_attempts")
    op.drop_index("ix_emails_due", table_name="emails")
    op.drop_table("emails")
