"""Who is calling: the one shape every use case receives (``caller`` in docs/rpc.md).

The gateway authenticates the token and sends ``{account_id, kind, roles, provider_id,
acting_for?}``; :meth:`Caller.of` turns it into this value. Provider-side grants follow the one
rule of ``ponte.acting``; staff checks let ``admin`` pass every staff role.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ponte import acting
from ponte.errors import Forbidden, NotFound
from ponte.roles import ADMIN, CITIZEN, PROVIDER, SECRETARY, STAFF


@dataclass(frozen=True)
class Caller:
    account_id: str
    kind: str
    roles: frozenset[str] = frozenset()
    """Staff roles."""
    provider_id: str | None = None
    """A provider login's own provider."""
    acting_for: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Provider id → provider roles held (a provider login: itself with every role)."""

    @classmethod
    def of(cls, context: Any, acting_for: Mapping[str, Iterable[str]] | None = None) -> Caller:
        """From the gateway's caller context; anything malformed is an anonymous caller that
        every rule refuses, never a crash."""
        context = context if isinstance(context, Mapping) else {}
        kind = str(context.get("kind") or "")
        grants = acting_for if acting_for is not None else context.get("acting_for") or {}
        provider_id = context.get("provider_id")
        return cls(account_id=str(context.get("account_id") or ""), kind=kind,
                   roles=frozenset(context.get("roles") or ()), provider_id=provider_id,
                   acting_for=acting.acting_for(kind, provider_id, dict(grants).items()))

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF

    @property
    def is_provider(self) -> bool:
        return self.kind == PROVIDER

    @property
    def is_secretary(self) -> bool:
        return self.kind == SECRETARY

    @property
    def is_citizen(self) -> bool:
        return self.kind == CITIZEN

    @property
    def is_admin(self) -> bool:
        return self.is_staff and ADMIN in self.roles

    def has_staff_role(self, *roles: str) -> bool:
        """A staff role among ``roles``; admin passes every staff check."""
        return self.is_staff and bool(self.roles & {ADMIN, *roles})

    def require_staff_role(self, *roles: str) -> None:
        if not self.has_staff_role(*roles):
            raise Forbidden("Your account may not do this.")

    def roles_for(self, provider_id: str | None) -> frozenset[str] | None:
        return self.acting_for.get(provider_id) if provider_id else None

    def require_provider_role(self, provider_id: str, *roles: str) -> frozenset[str]:
        """The provider side holding one of ``roles`` (``ponte.acting``'s refusals)."""
        return acting.require_provider_role(self.kind, self.acting_for, provider_id, roles)

    def require_sees(self, provider_id: str, *roles: str, what: str = "request",
                     desk: Iterable[str] = ()) -> None:
        """Staff holding one of ``desk`` see every provider's; the provider side needs one of
        ``roles``; anyone unrelated is told the thing does not exist (404)."""
        if desk and self.has_staff_role(*desk):
            return
        held = self.roles_for(provider_id)
        if held is None:
            raise NotFound(f"No such {what}.")
        if roles and not held & set(roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)} for the provider.")
