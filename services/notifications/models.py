"""Tables of the notifications service: the e-mails it queued and every attempt to send them.

The migrations (``migrations/``) create exactly these; a service test
compares the two.
"""
from __future__ import annotations

import sqlalchemy as sa

from ponte.db import UTCDateTime

metadata = sa.MetaData()

emails = sa.Table(
    "emails", metadata,
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
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("correlation_id", sa.String(64)),
    sa.Column("token", sa.String(200)),  # an identity e-mail's token, for X-Ponte-Token
    sa.UniqueConstraint("event_id", "notification_type", "recipient", name="uq_emails_event"),
    sa.Index("ix_emails_due", "status", "next_attempt_at"),
)

email_attempts = sa.Table(
    "email_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email_id", sa.String(36), sa.ForeignKey("emails.id"), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("outcome", sa.String(10), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("retry_at", UTCDateTime),
    sa.UniqueConstraint("email_id", "attempt", name="uq_email_attempts_number"),
)

# The inbox: one row per (event, notification type, recipient) (an event may carry two notices:
# domain.incoming.notices). ``seq`` orders it and is what a stream resumes from
# (``Last-Event-ID`` carries ``id``, looked up to its ``seq``).
notifications = sa.Table(
    "notifications", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("account_id", sa.String(36), nullable=False),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.String(500)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime),
    sa.UniqueConstraint("event_id", "type", "account_id", name="uq_notifications_event_notice"),
    sa.Index("ix_notifications_account", "account_id", "seq"),
)

# Read models of other services' accounts, kept from their events, to resolve audiences.
accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(20)),
    sa.Column("email", sa.String(320)),
    sa.Column("name", sa.String(300)),
    sa.Column("locale", sa.String(10)),
    sa.Column("provider_id", sa.String(36), index=True),
    sa.Column("roles", sa.JSON, nullable=False),  # staff roles
    sa.Column("status", sa.String(20), nullable=False),  # invited | active | deleted
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

providers = sa.Table(
    "providers", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("legal_name", sa.String(300)),
    sa.Column("provider_type", sa.String(20)),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# A secretary's relationship with a provider, as relationships' events tell it.
grants = sa.Table(
    "grants", metadata,
    sa.Column("relationship_id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), nullable=False, index=True),
    sa.Column("secretary_id", sa.String(36), nullable=False, index=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("occurred_at", sa.String(40), nullable=False),  # of the event that set this state
)

preferences = sa.Table(
    "preferences", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("type", sa.String(100), primary_key=True),
    sa.Column("email", sa.Boolean, nullable=False),
)

settings = sa.Table(
    "account_settings", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("patient_messages", sa.Boolean, nullable=False),
)

stream_tickets = sa.Table(
    "stream_tickets", metadata,
    sa.Column("digest", sa.String(64), primary_key=True),  # sha256 of the ticket
    sa.Column("caller", sa.JSON, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    sa.Column("used_at", UTCDateTime),
)

bulletins = sa.Table(
    "bulletins", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("provider_types", sa.JSON),  # null: every provider
    sa.Column("attachments", sa.JSON, nullable=False),  # [{id, filename, content_type, size}]
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

bulletin_attachments = sa.Table(
    "bulletin_attachments", metadata,
    sa.Column("attachment_id", sa.String(36), primary_key=True),
    sa.Column("bulletin_id", sa.String(36), nullable=False),
)
