"""One-time links sent by e-mail: single use, and valid for a limited time (003)."""
from __future__ import annotations

from datetime import datetime, timedelta

REGISTRATION = "registration"
PASSWORD_RESET = "password_reset"  # nosec B105 # a kind of link

LIFETIMES = {
    "invitation": timedelta(days=7),      # provider registration and staff password set-up
    "password_reset": timedelta(hours=1),
}


def expiry(kind: str, now: datetime) -> datetime:
    return now + LIFETIMES[kind]


def usable(expires_at: datetime, used_at: datetime | None, now: datetime) -> bool:
    return used_at is None and now < expires_at
