"""Words of notifications that the gateway and the services share (API.md "Notifications")."""
from __future__ import annotations

PENDING, RETRYING, SENT, FAILED = "pending", "retrying", "sent", "failed"
EMAIL_STATUSES: tuple[str, ...] = (PENDING, RETRYING, SENT, FAILED)
"""An e-mail's delivery status: ``pending`` never tried, ``retrying`` waiting for its next
attempt, ``sent``, ``failed`` given up."""

NOTIFICATIONS_CREATED = "notifications_created"
"""The broadcast of new inbox items to every gateway, for the streams connected there."""
BULLETIN_PUBLISHED = "bulletin_published"
"""A bulletin's notification type is ``notifications.bulletin_published``."""

STREAM_TICKET_SECONDS = 30
"""How long a stream ticket stays valid (single use)."""
