"""Who may do what with the relationships service's own objects, using the one rule of
``domain.roles_for`` on the data this service owns (the gateway checks provider-scoped paths with
the same rule before calling)."""
from __future__ import annotations

from datetime import datetime

from ponte.errors import Forbidden, NotFound
from services.relationships.domain import (Caller, Invitation, Relationship, require_roles,
                                           roles_for)
from services.relationships.repository import Repository

MANAGE = "manage_relationships"


def _own_relationships(repo: Repository, who: Caller, provider_id: str) -> list[Relationship]:
    if who.kind != "secretary":
        return []
    return repo.active_relationships(provider_id=provider_id, secretary_id=who.account_id)


def require(repo: Repository, who: Caller, provider_id: str, now: datetime,
            role: str | None = None) -> frozenset[str]:
    """The caller's roles for the provider; 403/404 as at the edge when lacking ``role``."""
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
    if MANAGE not in held:
        raise Forbidden("Managing this provider's relationships needs the role "
                        "manage_relationships.")
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
