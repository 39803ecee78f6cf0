"""What the relationships service does, step by step: load, apply the domain rules, save, record
events. The nameko service only forwards its RPCs and event handlers here, so these run in tests
without a broker.

This module holds what several use cases share: the unit of work, the events (docs/events.md),
settling relationships that are past their end, and who may touch which object.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterator

from ponte.clock import iso
from ponte.errors import Forbidden, InvalidInput, NotFound
from ponte.roles import MANAGE_RELATIONSHIPS
from services.relationships.domain import Caller, Invitation, Relationship, require_roles, \
    roles_for
from services.relationships.repository import Repository
from services.relationships.views import day


@dataclass
class Unit:
    """One transaction: the repository for changes and ``publish`` for the events they cause."""

    repo: Repository
    publish: Callable[[str, dict[str, Any]], None]


@dataclass
class Relationships:
    """What the use cases need: the database (``transaction()`` as ``ponte.db`` gives it), a
    clock, and an RPC caller (``call("identity", "get_accounts", ids)``) for accounts whose
    events have not arrived yet."""

    db: Any
    clock: Callable[[], datetime]
    call: Callable[..., Any]

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        with self.db.transaction() as tx:
            yield Unit(Repository(tx.session), tx.publish)


# -- events ---------------------------------------------------------------------------------

def announce(unit: Unit, event_type: str, subject: Invitation | Relationship,
             **extra: Any) -> None:
    """Record an event of docs/events.md; each carries enough for notifications to address
    both sides."""
    repo = unit.repo
    provider = repo.provider(subject.provider_id)
    secretary = repo.secretary(subject.secretary_id)
    data = {"provider_id": subject.provider_id,
            "provider_legal_name": provider["legal_name"] if provider else None,
            "provider_account_ids": repo.provider_account_ids(subject.provider_id),
            "secretary_id": subject.secretary_id,
            "secretary_name": secretary["name"] if secretary else None,
            "secretary_email": secretary["email"] if secretary else None,
            "secretary_locale": secretary["locale"] if secretary else None,
            "roles": list(subject.roles)}
    if isinstance(subject, Invitation):
        data["invitation_id"] = subject.id
    else:
        data.update(relationship_id=subject.id, invitation_id=subject.invitation_id,
                    status=subject.status, started_at=iso(subject.started_at),
                    until=day(subject.until), ends_at=iso(subject.ends_at))
    unit.publish(event_type, {**data, **extra})


def expire(unit: Unit, relationship: Relationship, now: datetime) -> None:
    relationship.expire(now)
    unit.repo.save_relationship(relationship)
    announce(unit, "relationship_expired", relationship)


def settle(unit: Unit, now: datetime, **pair: str) -> list[Relationship]:
    """The relationships (of a provider, a secretary or both) that are really active; those past
    their end are recorded as expired on the way."""
    live = []
    for relationship in unit.repo.active_relationships(lock=True, **pair):
        if relationship.is_active(now):
            live.append(relationship)
        else:
            expire(unit, relationship, now)
    return live


def withdraw(unit: Unit, now: datetime, **pair: str) -> None:
    """A deleted account: its pending invitations are cancelled and its relationships end."""
    for invitation in unit.repo.pending_invitations(**pair):
        invitation.cancel(now)
        unit.repo.save_invitation(invitation)
        announce(unit, "invitation_cancelled", invitation, reason="account_deleted")
    for relationship in settle(unit, now, **pair):
        relationship.end(now, ended_by="account_deleted")
        unit.repo.save_relationship(relationship)
        announce(unit, "relationship_ended", relationship, ended_by="account_deleted",
                 actor_account_id=None)


# -- who may touch what ---------------------------------------------------------------------

def _own_relationships(repo: Repository, who: Caller, provider_id: str) -> list[Relationship]:
    if who.kind != "secretary":
        return []
    return repo.active_relationships(provider_id=provider_id, secretary_id=who.account_id)


def require(repo: Repository, who: Caller, provider_id: str, now: datetime,
            role: str | None = None) -> frozenset[str]:
    """The caller's roles for the provider by the one rule (``ponte.acting``); 403/404 exactly
    as at the edge when lacking ``role``."""
    return require_roles(who, provider_id, _own_relationships(repo, who, provider_id), now, role)


def side(repo: Repository, who: Caller, relationship: Relationship, now: datetime) -> str:
    """``secretary`` for the relationship's own secretary; ``provider`` for the provider side
    (its logins, secretaries holding manage_relationships for it). Others acting for the
    provider are refused (403); the rest are told it does not exist (404)."""
    if who.kind == "secretary" and who.account_id == relationship.secretary_id:
        return "secretary"
    held = roles_for(who, relationship.provider_id,
                     _own_relationships(repo, who, relationship.provider_id), now)
    if held is None:
        raise NotFound("No such relationship.")
    if MANAGE_RELATIONSHIPS not in held:
        raise Forbidden(f"Managing this provider's relationships needs the role "
                        f"{MANAGE_RELATIONSHIPS}.")
    return "provider"


def relationship_to_change(repo: Repository, relationship_id: str) -> Relationship:
    relationship = repo.relationship(relationship_id, lock=True)
    if relationship is None:
        raise NotFound("No such relationship.")
    return relationship


def own_invitation(repo: Repository, who: Caller, invitation_id: str) -> Invitation:
    """Only the invited secretary answers; to anyone else it does not exist."""
    invitation = repo.invitation(invitation_id, lock=True)
    if invitation is None or invitation.secretary_id != who.account_id:
        raise NotFound("No such invitation.")
    return invitation


def parse_until(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("until must be a date YYYY-MM-DD.",
                           {"until": ["Not a valid date (YYYY-MM-DD)."]}) from None
