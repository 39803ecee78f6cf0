"""Relationships once accepted: whom a secretary acts for, roles, ending, expiry (000), and the
provider's accreditations."""
from __future__ import annotations

from ponte.errors import Forbidden
from ponte.roles import MANAGE_RELATIONSHIPS
from services.relationships import views
from services.relationships.domain import Caller, validate_roles
from services.relationships.usecases import (Relationships, announce, expire, require,
                                             relationship_to_change, side)

EXPIRY_BATCH = 200


def acting_for(rel: Relationships, account_id: str) -> list[dict]:
    """``[{provider_id, legal_name, roles}]`` of the account's active relationships."""
    now = rel.clock()
    with rel.unit() as unit:
        live = [r for r in unit.repo.active_relationships(secretary_id=account_id)
                if r.is_active(now)]
        names = {p["id"]: p["legal_name"] for p in unit.repo.providers(
            r.provider_id for r in live).values()}
    return [{"provider_id": r.provider_id, "legal_name": names.get(r.provider_id),
             "roles": list(r.roles)} for r in live]


def list_provider_relationships(rel: Relationships, caller: dict, provider_id: str, limit: int,
                                cursor: str | None) -> dict:
    now = rel.clock()
    with rel.unit() as unit:
        require(unit.repo, Caller.from_context(caller), provider_id, now, MANAGE_RELATIONSHIPS)
        items, next_cursor = unit.repo.relationships_page(limit, cursor, provider_id=provider_id)
        return views.relationship_page(unit.repo, items, next_cursor, now)


def list_my_relationships(rel: Relationships, caller: dict, limit: int,
                          cursor: str | None) -> dict:
    now = rel.clock()
    with rel.unit() as unit:
        items, next_cursor = unit.repo.relationships_page(limit, cursor,
                                                          secretary_id=caller["account_id"])
        return views.relationship_page(unit.repo, items, next_cursor, now)


def change_roles(rel: Relationships, caller: dict, relationship_id: str,
                 roles: list[str]) -> dict:
    who, roles, now = Caller.from_context(caller), validate_roles(roles), rel.clock()
    with rel.unit() as unit:
        relationship = relationship_to_change(unit.repo, relationship_id)
        if side(unit.repo, who, relationship, now) != "provider":
            raise Forbidden("Only the provider side can change a relationship's roles; "
                            "you cannot change your own.")
        previous = relationship.change_roles(roles, now)
        unit.repo.save_relationship(relationship)
        if previous != relationship.roles:
            announce(unit, "relationship_roles_changed", relationship,
                     previous_roles=list(previous), changed_by=who.account_id)
        return views.relationship_of(unit.repo, relationship, now)


def end_relationship(rel: Relationships, caller: dict, relationship_id: str) -> dict:
    who, now = Caller.from_context(caller), rel.clock()
    with rel.unit() as unit:
        relationship = relationship_to_change(unit.repo, relationship_id)
        relationship.end(now, ended_by=side(unit.repo, who, relationship, now))
        unit.repo.save_relationship(relationship)
        announce(unit, "relationship_ended", relationship,
                 ended_by=relationship.ended_by, actor_account_id=who.account_id)
        return views.relationship_of(unit.repo, relationship, now)


def expire_due(rel: Relationships) -> int:
    """Record as expired every active relationship whose end has passed, and tell both sides,
    in batches. Readers already see them as expired before this runs (``status_at``)."""
    expired = 0
    while True:
        now = rel.clock()
        with rel.unit() as unit:
            due = unit.repo.due_relationships(now, EXPIRY_BATCH)
            for relationship in due:
                expire(unit, relationship, now)
        expired += len(due)
        if len(due) < EXPIRY_BATCH:
            return expired


def list_accreditations(rel: Relationships, caller: dict, provider_id: str, limit: int,
                        cursor: str | None) -> dict:
    with rel.unit() as unit:
        require(unit.repo, Caller.from_context(caller), provider_id, rel.clock())
        rows, next_cursor = unit.repo.accreditations(provider_id, limit, cursor)
    return {"items": [views.accreditation_view(r) for r in rows], "next_cursor": next_cursor}
