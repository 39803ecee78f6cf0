"""Tables of the notifications service: the e-mails it queued and every attempt to send them.

The first migration (``migrations/notifications_0001.py``) creates exactly these; a service test
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
