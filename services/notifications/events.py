"""Every event the notifications service publishes (docs/events.md)."""
from __future__ import annotations

from ponte.contracts.notifications import NOTIFICATIONS_CREATED
from ponte.service_layer import Event


def notifications_created(items: list[dict]) -> Event:
    """New inbox items, ``{account_id, notification}`` each, broadcast to every gateway for the
    streams connected there."""
    return Event(NOTIFICATIONS_CREATED, {"items": items})
