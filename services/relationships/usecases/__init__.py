"""What the relationships service does, step by step: load, apply the domain rules, save, record
events. The nameko service only forwards its RPCs and event handlers here, so these run in tests
without a broker.

Every use case takes the shared ``ponte.service_layer.Context`` (:func:`context` builds this
service's); its ``rpc`` reaches identity for accounts whose events have not arrived yet. This
module holds what several use cases share: settling relationships that are past their end, and
who may touch which object.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ponte.caller import Caller
from ponte.clock import now as clock_now
from ponte.contracts.relationships import ACCOUNT_DELETED, PROVIDER_SIDE, SECRETARY_SIDE
from ponte.errors import Forbidden, NotFound
from ponte.roles import MANAGE_RELATIONSHIPS
from ponte.service_layer import Context, UnitOfWork
from services.relationships import events
from services.relationships.domain.acting import require_roles, roles_for
from services.relationships.domain.invitations import Invitation
from services.relationships.domain.relationships import Relationship
from services.relationships.repository import Repository

Ctx = Context[Repository]
Uow = UnitOfWork[Repository]


def context(db: Any, clock: Callable[[], datetime] = clock_now, **options: Any) -> Ctx:
    """The relationships service's context (``rpc=`` reaches identity)."""
    return Context(db, Repository, clock=clock, **options)


def parties(repo: Repository, subject: Invitation | Relationship) -> events.Parties:
    """Both sides of ``subject``, for its events."""
    return events.Parties(repo.provider(subject.provider_id),
                          repo.provider_account_ids(subject.provider_id),
                          repo.secretary(subject.secretary_id))


def expire(uow: Uow, relationship: Relationship, now: datetime) -> None:
    relationship.expire(now)
    uow.repo.save_relationship(relationship)
    uow.publish(events.relationship_expired(relationship, parties(uow.repo, relationship)))


def settle(uow: Uow, now: datetime, **pair: str) -> list[Relationship]:
    """The relationships (of a provider, a secretary or both) that are really active; those past
    their end are recorded as expired on the way."""
    live = []
    for relationship in uow.repo.active_relationships(lock=True, **pair):
        if relationship.is_active(now):
            live.append(relationship)
        else:
            expire(uow, relationship, now)
    return live


def withdraw(uow: Uow, now: datetime, **pair: str) -> None:
    """A deleted account: its pending invitations are cancelled and its relationships end."""
    for invitation in uow.repo.pending_invitations(**pair):
        invitation.cancel(now)
        uow.repo.save_invitation(invitation)
        uow.publish(events.invitation_cancelled(invitation, parties(uow.repo, invitation),
                                                reason=ACCOUNT_DELETED))
    for relationship in settle(uow, now, **pair):
        relationship.end(now, ended_by=ACCOUNT_DELETED)
        uow.repo.save_relationship(relationship)
        uow.publish(events.relationship_ended(relationship, parties(uow.repo, relationship),
                                              actor_account_id=None))


# -- who may touch what ---------------------------------------------------------------------

def _own_relationships(repo: Repository, who: Caller, provider_id: str) -> list[Relationship]:
    if not who.is_secretary:
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
    if who.is_secretary and who.account_id == relationship.secretary_id:
        return SECRETARY_SIDE
    held = roles_for(who, relationship.provider_id,
                     _own_relationships(repo, who, relationship.provider_id), now)
    if held is None:
        raise NotFound("No such relationship.")
    if MANAGE_RELATIONSHIPS not in held:
        raise Forbidden(f"Managing this provider's relationships needs the role "
                        f"{MANAGE_RELATIONSHIPS}.")
    return PROVIDER_SIDE


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
