"""Who is calling and for whom, from the caller context the gateway sends.

The gateway checks provider-scoped routes with the one permission rule (``ponte.acting``) and
passes along the providers a secretary acts for (``acting_for``: provider id → roles); the same
rule turns them, or a provider login's own provider, into what the caller holds here. The
service re-checks ownership of what it loads with the same data: a provider's requests, payments
and inquiries are seen by its provider side holding the named role, and by operator staff;
anyone else is told they do not exist (404)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from ponte import acting
from ponte.errors import Forbidden, NotFound
from ponte.roles import ADMIN, AUDITOR, OPERATOR

PROVIDER_SIDE, OPERATOR_SIDE = "provider", "operator"


@dataclass(frozen=True)
class Actor:
    account_id: str
    kind: str
    staff_roles: frozenset[str]
    acting_for: Mapping[str, frozenset[str]]

    @classmethod
    def from_context(cls, caller: Mapping[str, Any],
                     acting_for: Mapping[str, Iterable[str]] | None = None) -> "Actor":
        grants = acting_for if acting_for is not None else caller.get("acting_for") or {}
        kind = str(caller.get("kind") or "")
        return cls(account_id=str(caller.get("account_id") or ""), kind=kind,
                   staff_roles=frozenset(caller.get("roles") or ()),
                   acting_for=acting.acting_for(kind, caller.get("provider_id"), grants.items()))

    @property
    def side(self) -> str:
        """Interactions show whether the operator or the provider side wrote them (001)."""
        return OPERATOR_SIDE if self.kind == "staff" else PROVIDER_SIDE

    def is_staff(self, *roles: str) -> bool:
        """A staff role among ``roles``; admin passes every staff check."""
        return self.kind == "staff" and bool(self.staff_roles & {ADMIN, *roles})

    @property
    def is_desk(self) -> bool:
        """Operator employees who handle requests: operators and auditors."""
        return self.is_staff(OPERATOR, AUDITOR)

    def roles_for(self, provider_id: str) -> frozenset[str] | None:
        return self.acting_for.get(provider_id)

    def require_provider(self, provider_id: str, *roles: str, what: str = "request") -> None:
        """The provider side holding one of ``roles``: others acting for the provider are
        refused (403); anyone unrelated is told the thing does not exist (404)."""
        held = self.roles_for(provider_id)
        if held is None:
            raise NotFound(f"No such {what}.")
        if roles and not held & set(roles):
            raise Forbidden(f"This needs the role {' or '.join(roles)} for the provider.")

    def may_see(self, provider_id: str, *roles: str) -> bool:
        held = self.roles_for(provider_id)
        return self.is_desk or (held is not None and bool(held & set(roles)))

    def require_sees(self, provider_id: str, *roles: str, what: str = "request") -> None:
        """Operator staff see every provider's; the provider side needs one of ``roles``."""
        if not self.is_desk:
            self.require_provider(provider_id, *roles, what=what)

    def providers_with(self, *roles: str) -> list[str]:
        return sorted(p for p, held in self.acting_for.items() if held & set(roles))
