"""What every seeding step works with: the API, the outbox, the passwords, the ledger, and the
day the story is at (a phase in the past runs against a gateway whose clock is shifted back)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ponte.demo.accounts import Passwords, Person
from ponte.demo.http import Api, Outbox
from ponte.demo.ledger import Ledger


@dataclass
class World:
    api: Api
    outbox: Outbox
    passwords: Passwords
    ledger: Ledger
    zone: ZoneInfo
    days_ago: int = 0

    def as_(self, person: Person) -> str:
        """Sign ``person`` in (once per run); the login to pass as ``as_``."""
        self.api.sign_in(person.login, self.passwords[person])
        return person.login

    def call(self, person: Person | None, method: str, path: str,
             body: dict | None = None, **kwargs: Any) -> Any:
        """``method path`` as ``person`` (``None``: signed out)."""
        return self.api.call(method, path, body,
                             as_=self.as_(person) if person else None, **kwargs)

    def id_of(self, step: str) -> str:
        """The id of what ``step`` made."""
        return self.ledger[step]["id"]

    @property
    def now(self) -> datetime:
        """The gateway's "now" in this phase."""
        return datetime.now(UTC) - timedelta(days=self.days_ago)

    @property
    def today(self) -> date:
        """The gateway's day in this phase, in the operator's time zone."""
        return self.now.astimezone(self.zone).date()

    def real_day(self, days_from_today: int = 0) -> date:
        """A day counted from the real today (not the phase's)."""
        return datetime.now(self.zone).date() + timedelta(days=days_from_today)

    def at(self, day: date, hour: int, minute: int = 0) -> str:
        """``HH:MM`` local time on ``day`` as an API instant."""
        local = datetime.combine(day, time(hour, minute), tzinfo=self.zone)
        return local.astimezone(UTC).isoformat().replace("+00:00", "Z")
