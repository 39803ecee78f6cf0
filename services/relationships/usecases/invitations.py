"""Inviting a secretary, and her answer (000)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ponte.caller import Caller
from ponte.contracts.relationships import PENDING
from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict, InvalidInput, NotFound
from ponte.roles import MANAGE_RELATIONSHIPS
from services.relationships import events, views
from services.relationships.domain.invitations import Invitation, require_future
from services.relationships.domain.relationships import validate_roles
from services.relationships.usecases import Ctx, own_invitation, parties, require, settle
from services.relationships.usecases.accounts import know_provider, know_secretary

DUPLICATE = ("This secretary already has a pending invitation or an active relationship with "
             "this provider.")


def invite(ctx: Ctx, who: Caller, provider_id: str, secretary_id: str | None,
           roles: list[str] | None, form_errors: dict[str, list[str]] | None = None,
           until: str | None = None) -> dict:
    """``until``: the term proposed, a last day (``YYYY-MM-DD``, checked at the edge) or None
    for an indefinite time. ``form_errors`` are what the edge found wrong with the form: they
    are answered together with the roles', the term's and the secretary's (every field error
    at once)."""
    errors = {str(k): list(v) for k, v in (form_errors or {}).items()}
    last_day = date.fromisoformat(until) if until else None
    if not _names(errors, "roles"):
        errors.update(_refusal(lambda: validate_roles(roles)))
    if not _names(errors, "until"):
        errors.update(_refusal(lambda: require_future(last_day, ctx.clock())))
    if not _names(errors, "secretary_id"):
        errors.update(_refusal(lambda: know_secretary(ctx, secretary_id), quiet=not errors))
    if errors:
        raise InvalidInput("Some fields are invalid. (" + ", ".join(sorted(errors)) + ")",
                           errors)
    roles, now = validate_roles(roles), ctx.clock()
    know_provider(ctx, provider_id)
    with conflict_on_duplicate(DUPLICATE), ctx.unit() as uow:
        repo = uow.repo
        require(repo, who, provider_id, now, MANAGE_RELATIONSHIPS)
        provider = repo.provider(provider_id)
        secretary = repo.secretary(secretary_id)
        if repo.pending_invitations(provider_id=provider_id, secretary_id=secretary_id) or \
                settle(uow, now, provider_id=provider_id, secretary_id=secretary_id):
            raise Conflict(DUPLICATE)
        invitation = Invitation.send(provider_id, secretary_id, roles, now, who.account_id,
                                     last_day)
        repo.add_invitation(invitation)
        uow.publish(events.invitation_sent(invitation, parties(repo, invitation),
                                           invited_by=who.account_id))
    return views.invitation_view(invitation, provider, secretary)


def _names(errors: dict[str, list[str]], field: str) -> bool:
    """Whether ``errors`` already name the field or a part of it (``roles.0``)."""
    return any(name == field or name.startswith(f"{field}.") for name in errors)


def _refusal(check: Callable[[], object], quiet: bool = False) -> dict[str, list[str]]:
    """The field errors ``check`` refuses with. A secretary that does not exist is a 404 on
    its own (``quiet``), and one more field error beside others."""
    try:
        check()
    except InvalidInput as refused:
        return dict(refused.errors or {})
    except NotFound as missing:
        if quiet:
            raise
        return dict(missing.errors or {"secretary_id": [str(missing)]})
    return {}


def list_provider_invitations(ctx: Ctx, who: Caller, provider_id: str, status: str | None,
                              limit: int, cursor: str | None) -> dict:
    with ctx.unit() as uow:
        require(uow.repo, who, provider_id, ctx.clock(), MANAGE_RELATIONSHIPS)
        items, next_cursor = uow.repo.invitations_page(limit, cursor, provider_id=provider_id,
                                                       status=status)
        return views.invitation_page(uow.repo, items, next_cursor)


def list_my_invitations(ctx: Ctx, who: Caller, limit: int, cursor: str | None) -> dict:
    with ctx.unit() as uow:
        items, next_cursor = uow.repo.invitations_page(
            limit, cursor, secretary_id=who.account_id, status=PENDING)
        return views.invitation_page(uow.repo, items, next_cursor)


def accept_invitation(ctx: Ctx, who: Caller, invitation_id: str, until: str | None,
                      as_proposed: bool = False) -> dict:
    """``until`` is the last day (``YYYY-MM-DD``, checked at the edge) or None for an indefinite
    time; ``as_proposed``: the secretary did not answer with a term, so the one the invitation
    proposed applies. The domain refuses a day that is not after today."""
    now, answered = ctx.clock(), date.fromisoformat(until) if until else None
    with conflict_on_duplicate("This secretary already acts for this provider."), \
            ctx.unit() as uow:
        repo = uow.repo
        invitation = own_invitation(repo, who, invitation_id)
        if invitation.status == PENDING and settle(
                uow, now, provider_id=invitation.provider_id,
                secretary_id=invitation.secretary_id):
            raise Conflict("You already act for this provider.")
        relationship = invitation.accept(invitation.until if as_proposed else answered, now)
        repo.save_invitation(invitation)
        repo.add_relationship(relationship)
        uow.publish(events.invitation_accepted(relationship, parties(repo, relationship)))
        return views.relationship_of(repo, relationship, now)


def decline_invitation(ctx: Ctx, who: Caller, invitation_id: str) -> dict:
    with ctx.unit() as uow:
        repo = uow.repo
        invitation = own_invitation(repo, who, invitation_id)
        invitation.decline(ctx.clock())
        repo.save_invitation(invitation)
        uow.publish(events.invitation_declined(invitation, parties(repo, invitation)))
        return views.invitation_view(invitation, repo.provider(invitation.provider_id),
                                     repo.secretary(invitation.secretary_id))
