"""An invitation to a secretary, and her answer (000)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ponte import clock
from ponte.contracts.relationships import ACCEPTED, CANCELLED, DECLINED, PENDING
from ponte.errors import Conflict, InvalidInput
from services.relationships.domain.relationships import (
    Relationship,
    end_of_day,
    local_today,
    validate_roles,
)


@dataclass
class Invitation:
    provider_id: str
    secretary_id: str
    roles: tuple[str, ...]
    created_at: datetime
    invited_by: str | None = None
    until: date | None = None
    """The term the provider proposes: its last day, or None for an indefinite time."""
    status: str = PENDING
    decided_at: datetime | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def send(cls, provider_id: str, secretary_id: str, roles: Iterable[str] | None,
             now: datetime, invited_by: str | None = None, until: date | None = None,
             tz: ZoneInfo | None = None) -> Invitation:
        """Invite for ``roles``, proposing an indefinite time (``until`` None) or a last day
        after today (PORTAL.md's "Novo relacionamento")."""
        require_future(until, now, tz)
        return cls(provider_id, secretary_id, validate_roles(roles), now, invited_by, until)

    def accept(self, until: date | None, now: datetime,
               tz: ZoneInfo | None = None) -> Relationship:
        """Start the relationship, indefinitely (``until`` None) or through ``until``, which must
        be a day after today in the operator's time zone."""
        self._require_pending()
        tz = tz or clock.local_zone()
        require_future(until, now, tz)
        self._decide(ACCEPTED, now)
        return Relationship(self.provider_id, self.secretary_id, self.roles, started_at=now,
                            until=until, ends_at=end_of_day(until, tz) if until else None,
                            invitation_id=self.id)

    def decline(self, now: datetime) -> None:
        self._decide(DECLINED, now)

    def cancel(self, now: datetime) -> None:
        """Withdrawn without an answer, e.g. because one of the accounts was deleted."""
        self._decide(CANCELLED, now)

    def _require_pending(self) -> None:
        if self.status != PENDING:
            raise Conflict(f"This invitation is already {self.status}.")

    def _decide(self, status: str, now: datetime) -> None:
        self._require_pending()
        self.status, self.decided_at = status, now


def require_future(until: date | None, now: datetime, tz: ZoneInfo | None = None) -> None:
    """A last day must come after today in the operator's time zone."""
    tz = tz or clock.local_zone()
    if until is not None and until <= local_today(now, tz):
        raise InvalidInput("The end date must be in the future.",
                           {"until": [f"Must be a date after today ({tz.key})."]})
