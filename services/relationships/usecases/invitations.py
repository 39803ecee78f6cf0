"""Inviting a secretary, and her answer (000)."""
from __future__ import annotations

from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict
from ponte.roles import MANAGE_RELATIONSHIPS
from services.relationships import views
from services.relationships.domain import Caller, Invitation, validate_roles
from services.relationships.usecases import (Relationships, announce, own_invitation,
                                             parse_until, require, settle)
from services.relationships.usecases.accounts import know_provider, know_secretary

DUPLICATE = ("This secretary already has a pending invitation or an active relationship with "
             "this provider.")


def invite(rel: Relationships, caller: dict, provider_id: str, secretary_id: str,
           roles: list[str]) -> dict:
    who, roles, now = Caller.from_context(caller), validate_roles(roles), rel.clock()
    know_secretary(rel, secretary_id)
    know_provider(rel, provider_id)
    with conflict_on_duplicate(DUPLICATE), rel.unit() as unit:
        repo = unit.repo
        require(repo, who, provider_id, now, MANAGE_RELATIONSHIPS)
        provider = repo.provider(provider_id)
        secretary = repo.secretary(secretary_id)
        if repo.pending_invitations(provider_id=provider_id, secretary_id=secretary_id) or \
                settle(unit, now, provider_id=provider_id, secretary_id=secretary_id):
            raise Conflict(DUPLICATE)
        invitation = Invitation.send(provider_id, secretary_id, roles, now, who.account_id)
        repo.add_invitation(invitation)
        announce(unit, "invitation_sent", invitation, invited_by=who.account_id)
    return views.invitation_view(invitation, provider, secretary)


def list_provider_invitations(rel: Relationships, caller: dict, provider_id: str,
                              status: str | None, limit: int, cursor: str | None) -> dict:
    with rel.unit() as unit:
        require(unit.repo, Caller.from_context(caller), provider_id, rel.clock(),
                MANAGE_RELATIONSHIPS)
        items, next_cursor = unit.repo.invitations_page(limit, cursor, provider_id=provider_id,
                                                        status=status)
        return views.invitation_page(unit.repo, items, next_cursor)


def list_my_invitations(rel: Relationships, caller: dict, limit: int,
                        cursor: str | None) -> dict:
    with rel.unit() as unit:
        items, next_cursor = unit.repo.invitations_page(
            limit, cursor, secretary_id=caller["account_id"], status="pending")
        return views.invitation_page(unit.repo, items, next_cursor)


def accept_invitation(rel: Relationships, caller: dict, invitation_id: str,
                      until: str | None) -> dict:
    now, last_day = rel.clock(), parse_until(until)
    with conflict_on_duplicate("This secretary already acts for this provider."), \
            rel.unit() as unit:
        repo = unit.repo
        invitation = own_invitation(repo, Caller.from_context(caller), invitation_id)
        if invitation.status == "pending" and settle(
                unit, now, provider_id=invitation.provider_id,
                secretary_id=invitation.secretary_id):
            raise Conflict("You already act for this provider.")
        relationship = invitation.accept(last_day, now)
        repo.save_invitation(invitation)
        repo.add_relationship(relationship)
        announce(unit, "invitation_accepted", relationship)
        return views.relationship_of(repo, relationship, now)


def decline_invitation(rel: Relationships, caller: dict, invitation_id: str) -> dict:
    with rel.unit() as unit:
        repo = unit.repo
        invitation = own_invitation(repo, Caller.from_context(caller), invitation_id)
        invitation.decline(rel.clock())
        repo.save_invitation(invitation)
        announce(unit, "invitation_declined", invitation)
        return views.invitation_view(invitation, repo.provider(invitation.provider_id),
                                     repo.secretary(invitation.secretary_id))
