"""Whom a caller acts for, by its relationships: the one rule of :mod:`ponte.acting`, applied
to the relationships that are active at a given moment."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ponte import acting
from ponte.caller import Caller
from services.relationships.domain.relationships import Relationship


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
