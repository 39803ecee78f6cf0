"""Acting for a provider: the one rule for "may account A act for provider P with role R?" (000).

A provider login acts for its own provider with every provider role. A secretary acts for the
providers of her active relationships, with the roles of each. Nobody else acts for a provider.
Refusals: a secretary is told she may not (403); anyone else is told the provider does not exist
(404), so ids cannot be probed.

The gateway applies it to the grants it caches (``gateway/permissions.py``); the relationships
service applies it to its own relationships (``services/relationships/usecases``). Both call
these two functions, so their answers and messages cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from ponte.errors import Forbidden, NotFound
from ponte.roles import PROVIDER_ROLES

ALL_ROLES = frozenset(PROVIDER_ROLES)


def acting_for(kind: str, own_provider_id: str | None,
               grants: Iterable[tuple[str, Iterable[str]]] = ()) -> dict[str, frozenset[str]]:
    """Provider id → roles held. ``grants`` are a secretary's active ``(provider_id, roles)``;
    they are ignored for any other kind of account."""
    if kind == "provider":
        return {own_provider_id: ALL_ROLES} if own_provider_id else {}
    if kind == "secretary":
        return {provider_id: frozenset(roles) for provider_id, roles in grants}
    return {}


def require_provider_role(kind: str, held: Mapping[str, frozenset[str]], provider_id: str,
                          roles: Iterable[str] = ()) -> frozenset[str]:
    """The roles held for ``provider_id`` when one of ``roles`` (any, when empty) is among them;
    otherwise :class:`Forbidden` for a secretary and :class:`NotFound` for anyone else."""
    mine = held.get(provider_id)
    if mine is None:
        if kind == "secretary":
            raise Forbidden("You do not act for this provider.")
        raise NotFound("No such provider.")
    wanted = tuple(roles)
    if wanted and not set(wanted) & mine:
        raise Forbidden(f"Acting for this provider needs the role {' or '.join(wanted)}.")
    return mine
