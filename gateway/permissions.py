"""The one rule for "may this caller act for provider P with role R?" (``ponte.acting``) at
the edge.

A provider login acts for its own provider with every role: that is in its access token, so it
costs nothing. A secretary's grants come from the relationships service (``acting_for``) and are
cached per secretary for ``CACHE_SECONDS``; relationship events broadcast to every gateway drop the
cached entry at once, so a change applies from the secretary's next request. If an event were
lost, the cache bounds staleness to ``CACHE_SECONDS``.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from nameko.extensions import DependencyProvider

from ponte import acting

if TYPE_CHECKING:
    from gateway.api import Call

CACHE_SECONDS = 30.0


class Permissions(DependencyProvider):
    def setup(self) -> None:
        self._grants: dict[str, tuple[float, list[dict]]] = {}
        self._forgets = 0

    def get_dependency(self, worker_ctx) -> Permissions:  # noqa: ANN001
        return self

    def forget(self, account_id: str) -> None:
        self._forgets += 1
        self._grants.pop(account_id, None)

    def grants(self, call: Call) -> list[dict]:
        """A secretary's active grants: ``[{provider_id, legal_name, roles}]`` (cached)."""
        principal = call.principal
        if principal is None or principal.kind != "secretary":
            return []
        cached = self._grants.get(principal.account_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        forgets = self._forgets
        grants = call.rpc("relationships", "acting_for", principal.account_id)
        if forgets == self._forgets:  # an answer read before a change must not outlive it
            self._grants[principal.account_id] = (time.monotonic() + CACHE_SECONDS, grants)
        return grants

    def acting_for(self, call: Call) -> dict[str, frozenset[str]]:
        """Provider id → roles the caller holds for it."""
        principal = call.principal
        if principal is None:
            return {}
        return acting.acting_for(principal.kind, principal.provider_id,
                                 ((g["provider_id"], g["roles"]) for g in self.grants(call)))

    def require(self, call: Call, provider_id: str, roles: tuple[str, ...]) -> frozenset[str]:
        """The caller's roles for the provider, if one of ``roles`` (any, when empty) is among
        them; otherwise 403 for a secretary and 404 for anyone else."""
        kind = call.principal.kind if call.principal is not None else ""
        return acting.require_provider_role(kind, self.acting_for(call), provider_id, roles)
