"""Provider↔secretary relationships, as the provider-portal manual (000) describes them.

A provider, or a secretary holding ``manage_relationships`` for it, invites a secretary with a
non-empty set of roles. The secretary accepts, for an indefinite time or until a date, or
declines. An accepted invitation becomes an ``active`` relationship whose roles the provider side
may change; either side may end it, and it expires by itself once its last day has passed in the
operator's time zone.

    invitation:   pending → accepted | declined | cancelled
    relationship: active  → ended | expired

Everything here is plain Python: times come in as arguments, so rules are tested without a clock.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from ponte import acting, clock
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
                            tzinfo=tz or clock.local_zone()).astimezone(timezone.utc)


@dataclass
class Relationship:
    provider_id: str
    secretary_id: str
    roles: tuple[str, ...]
    started_at: datetime
    until: date | None = None
    ends_at: datetime | None = None
    status: str = "active"
    invitation_id: str | None = None
    ended_by: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def status_at(self, now: datetime) -> str:
        """The status a reader sees: an active relationship past its end is already expired, even
        before the scheduled job records it."""
        if self.status == "active" and self.ends_at is not None and self.ends_at <= now:
            return "expired"
        return self.status

    def is_active(self, now: datetime) -> bool:
        return self.status_at(now) == "active"

    def change_roles(self, roles: Iterable[str], now: datetime) -> tuple[str, ...]:
        """New roles for an active relationship; returns the previous ones."""
        self._require_active(now, "change its roles")
        previous, self.roles = self.roles, validate_roles(roles)
        return previous

    def end(self, now: datetime, ended_by: str) -> None:
        """Either side ends it at once (000); ``ends_at`` becomes the moment it ended."""
        self._require_active(now, "end it")
        self.status, self.ends_at, self.ended_by = "ended", now, ended_by

    def expire(self, now: datetime) -> None:
        """Record that its end date has passed."""
        if self.status != "active" or self.ends_at is None or self.ends_at > now:
            raise Conflict("This relationship is not due to expire.")
        self.status = "expired"

    def _require_active(self, now: datetime, action: str) -> None:
        status = self.status_at(now)
        if status != "active":
            raise Conflict(f"This relationship is {status}; you cannot {action}.")


@dataclass
class Invitation:
    provider_id: str
    secretary_id: str
    roles: tuple[str, ...]
    created_at: datetime
    invited_by: str | None = None
    status: str = "pending"
    decided_at: datetime | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def send(cls, provider_id: str, secretary_id: str, roles: Iterable[str] | None,
             now: datetime, invited_by: str | None = None) -> "Invitation":
        return cls(provider_id, secretary_id, validate_roles(roles), now, invited_by)

    def accept(self, until: date | None, now: datetime,
               tz: ZoneInfo | None = None) -> Relationship:
        """Start the relationship, indefinitely (``until`` None) or through ``until``, which must
        be a day after today in the operator's time zone."""
        self._require_pending()
        tz = tz or clock.local_zone()
        if until is not None and until <= local_today(now, tz):
            raise InvalidInput("The end date must be in the future.",
                               {"until": [f"Must be a date after today ({tz.key})."]})
        self._decide("accepted", now)
        return Relationship(self.provider_id, self.secretary_id, self.roles, started_at=now,
                            until=until, ends_at=end_of_day(until, tz) if until else None,
                            invitation_id=self.id)

    def decline(self, now: datetime) -> None:
        self._decide("declined", now)

    def cancel(self, now: datetime) -> None:
        """Withdrawn without an answer, e.g. because one of the accounts was deleted."""
        self._decide("cancelled", now)

    def _require_pending(self) -> None:
        if self.status != "pending":
            raise Conflict(f"This invitation is already {self.status}.")

    def _decide(self, status: str, now: datetime) -> None:
        self._require_pending()
        self.status, self.decided_at = status, now


@dataclass(frozen=True)
class Caller:
    """Who asks, as the gateway authenticated it (``caller`` in docs/rpc.md)."""

    account_id: str
    kind: str
    provider_id: str | None = None

    @classmethod
    def from_context(cls, context: dict) -> "Caller":
        return cls(context["account_id"], context["kind"], context.get("provider_id"))


def acting_for(caller: Caller, relationships: Iterable[Relationship],
               now: datetime) -> dict[str, frozenset[str]]:
    """Provider id → roles ``caller`` holds, by the one rule of :mod:`ponte.acting` applied to
    the caller's relationships that are active at ``now``."""
    return acting.acting_for(caller.kind, caller.provider_id, (
        (r.provider_id, r.roles) for r in relationships
        if r.secretary_id == caller.account_id and r.is_active(now)))


def roles_for(caller: Caller, provider_id: str, relationships: Iterable[Relationship],
              now: datetime) -> frozenset[str] | None:
    """What ``caller`` may do for ``provider_id``: every role for a provider login's own
    provider, a secretary's roles of her active relationship with it, else nothing (None)."""
    return acting_for(caller, relationships, now).get(provider_id)


def require_roles(caller: Caller, provider_id: str, relationships: Iterable[Relationship],
                  now: datetime, role: str | None = None) -> frozenset[str]:
    """:func:`roles_for`, enforced like the gateway's edge rule (``ponte.acting``): a secretary
    who does not act for the provider, or lacks ``role``, is refused (403); anyone else unrelated
    to the provider is told it does not exist (404)."""
    return acting.require_provider_role(caller.kind, acting_for(caller, relationships, now),
                                        provider_id, (role,) if role else ())
