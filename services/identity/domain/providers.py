"""Who sees which providers, and how (API.md ``GET /providers``, 003): the public sees active
providers; operators see every provider and its status; the provider side sees its own status."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.contracts.identity import ACTIVE
from ponte.errors import Forbidden
from ponte.roles import OPERATOR


def sees_every_provider(caller: Caller) -> bool:
    """Operators (and admins) list providers in every status (003: the operator's network)."""
    return caller.has_staff_role(OPERATOR)


def sees_status(caller: Caller, provider_id: str) -> bool:
    """Operators see every provider's status; the provider side sees its own."""
    return sees_every_provider(caller) or caller.roles_for(provider_id) is not None


def visible(caller: Caller, provider_id: str, status: str) -> bool:
    """An active provider is public; any other only to those who see its status."""
    return status == ACTIVE or sees_status(caller, provider_id)


def listed_statuses(caller: Caller, status: str | None) -> tuple[str, ...] | None:
    """The statuses a listing shows (None: every one). Only operators choose another status
    than active."""
    if sees_every_provider(caller):
        return (status,) if status else None
    if status not in (None, ACTIVE):
        raise Forbidden("Only operators list providers that are not active.")
    return (ACTIVE,)
