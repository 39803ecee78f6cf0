"""Relationships once accepted: whom a secretary acts for, roles, ending, expiry (000), and the
provider's accreditations."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.contracts.relationships import PROVIDER_SIDE
from ponte.errors import Forbidden
from ponte.roles import MANAGE_RELATIONSHIPS
from services.relationships import events, views
from services.relationships.domain.relationships import validate_roles
from services.relationships.usecases import (
    Ctx,
    expire,
    parties,
    relationship_to_change,
    require,
    side,
)

EXPIRY_BATCH = 200


def acting_for(ctx: Ctx, account_id: str) -> list[dict]:
    """``[{provider_id, legal_name, roles}]`` of the account's active relationships."""
    now = ctx.clock()
    with ctx.unit() as uow:
        live = [r for r in uow.repo.active_relationships(secretary_id=account_id)
                if r.is_active(now)]
        names = {p["id"]: p["legal_name"] for p in uow.repo.providers(
            r.provider_id for r in live).values()}
    return [{"provider_id": r.provider_id, "legal_name": names.get(r.provider_id),
             "roles": list(r.roles)} for r in live]


def list_provider_relationships(ctx: Ctx, who: Caller, provider_id: str, limit: int,
                                cursor: str | None) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        require(uow.repo, who, provider_id, now, MANAGE_RELATIONSHIPS)
        items, next_cursor = uow.repo.relationships_page(limit, cursor, provider_id=provider_id)
        return views.relationship_page(uow.repo, items, next_cursor, now)


def list_my_relationships(ctx: Ctx, who: Caller, limit: int, cursor: str | None) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        items, next_cursor = uow.repo.relationships_page(limit, cursor,
                                                         secretary_id=who.account_id)
        return views.relationship_page(uow.repo, items, next_cursor, now)


def change_roles(ctx: Ctx, who: Caller, relationship_id: str, roles: list[str]) -> dict:
    roles, now = validate_roles(roles), ctx.clock()
    with ctx.unit() as uow:
        relationship = relationship_to_change(uow.repo, relationship_id)
        if side(uow.repo, who, relationship, now) != PROVIDER_SIDE:
            raise Forbidden("Only the provider side can change a relationship's roles; "
                            "you cannot change your own.")
        previous = relationship.change_roles(roles, now)
        uow.repo.save_relationship(relationship)
        if previous != relationship.roles:
            uow.publish(events.relationship_roles_changed(
                relationship, parties(uow.repo, relationship), previous_roles=previous,
                changed_by=who.account_id))
        return views.relationship_of(uow.repo, relationship, now)


def end_relationship(ctx: Ctx, who: Caller, relationship_id: str) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        relationship = relationship_to_change(uow.repo, relationship_id)
        relationship.end(now, ended_by=side(uow.repo, who, relationship, now))
        uow.repo.save_relationship(relationship)
        uow.publish(events.relationship_ended(relationship, parties(uow.repo, relationship),
                                              actor_account_id=who.account_id))
        return views.relationship_of(uow.repo, relationship, now)


def expire_due(ctx: Ctx) -> int:
    """Record as expired every active relationship whose end has passed, and tell both sides,
    in batches. Readers already see them as expired before this runs (``status_at``)."""
    expired = 0
    while True:
        now = ctx.clock()
        with ctx.unit() as uow:
            due = uow.repo.due_relationships(now, EXPIRY_BATCH)
            for relationship in due:
                expire(uow, relationship, now)
        expired += len(due)
        if len(due) < EXPIRY_BATCH:
            return expired


def list_accreditations(ctx: Ctx, who: Caller, provider_id: str, limit: int,
                        cursor: str | None) -> dict:
    with ctx.unit() as uow:
        require(uow.repo, who, provider_id, ctx.clock())
        rows, next_cursor = uow.repo.accreditations(provider_id, limit, cursor)
    return {"items": [views.accreditation_view(r) for r in rows], "next_cursor": next_cursor}
