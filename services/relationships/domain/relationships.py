"""A relationship once accepted: its roles, its end and its expiry (000)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ponte import clock
from ponte.contracts.relationships import ACTIVE, ENDED, EXPIRED
from ponte.errors import Conflict, InvalidInput
from ponte.roles import PROVIDER_ROLES


def validate_roles(roles: Iterable[str] | None) -> tuple[str, ...]:
    """A non-empty subset of the four roles (000: "isoladas ou cumulativas"), in canonical order."""
    given = list(roles or [])
    unknown = sorted({role for role in given if role not in PROVIDER_ROLES}, key=str)
    if unknown:
        raise InvalidInput("Unknown roles: " + ", ".join(map(str, unknown)) + ".",
                           {"roles": [f"Unknown role {role!r}; choose from "
                                      f"{', '.join(PROVIDER_ROLES)}." for role in unknown]})
    if not given:
        raise InvalidInput("Choose at least one role.", {"roles": ["Choose at least one role."]})
    return tuple(role for role in PROVIDER_ROLES if role in given)


def local_today(now: datetime, tz: ZoneInfo | None = None) -> date:
    """The day ``now`` falls on in the operator's time zone (``PONTE_TIMEZONE``)."""
    return now.astimezone(tz or clock.local_zone()).date()


def end_of_day(until: date, tz: ZoneInfo | None = None) -> datetime:
    """The instant a relationship accepted "until" a date stops: the next midnight, in the
    operator's time zone, so the whole of the last day is included."""
    return datetime.combine(until + timedelta(days=1), time(0),
                            tzinfo=tz or clock.local_zone()).astimezone(UTC)


@dataclass
class Relationship:
    provider_id: str
    secretary_id: str
    roles: tuple[str, ...]
    started_at: datetime
    until: date | None = None
    ends_at: datetime | None = None
    status: str = ACTIVE
    invitation_id: str | None = None
    ended_by: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def status_at(self, now: datetime) -> str:
        """The status a reader sees: an active relationship past its end is already expired, even
        before the scheduled job records it."""
        if self.status == ACTIVE and self.ends_at is not None and self.ends_at <= now:
            return EXPIRED
        return self.status

    def is_active(self, now: datetime) -> bool:
        return self.status_at(now) == ACTIVE

    def change_roles(self, roles: Iterable[str], now: datetime) -> tuple[str, ...]:
        """New roles for an active relationship; returns the previous ones."""
        self._require_active(now, "change its roles")
        previous, self.roles = self.roles, validate_roles(roles)
        return previous

    def end(self, now: datetime, ended_by: str) -> None:
        """Either side ends it at once (000); ``ends_at`` becomes the moment it ended."""
        self._require_active(now, "end it")
        self.status, self.ends_at, self.ended_by = ENDED, now, ended_by

    def expire(self, now: datetime) -> None:
        """Record that its end date has passed."""
        if self.status != ACTIVE or self.ends_at is None or self.ends_at > now:
            raise Conflict("This relationship is not due to expire.")
        self.status = EXPIRED

    def _require_active(self, now: datetime, action: str) -> None:
        status = self.status_at(now)
        if status != ACTIVE:
            raise Conflict(f"This relationship is {status}; you cannot {action}.")
