"""Who an event is for, so notifications can address it without calling back
(docs/events.md): the provider side holding one of ``roles``, staff holding one of
``staff_roles``, and accounts told directly."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Audience:
    accounts: tuple[str, ...] = ()
    provider_id: str | None = None
    roles: tuple[str, ...] = ()
    staff_roles: tuple[str, ...] = field(default=())

    def as_data(self) -> dict[str, Any]:
        """The ``audience`` field of an event."""
        return {"accounts": list(self.accounts),
                "provider": ({"id": self.provider_id, "roles": list(self.roles)}
                             if self.provider_id else None),
                "staff_roles": list(self.staff_roles)}

    @classmethod
    def of(cls, data: Any) -> Audience:
        """Read back from an event; anything missing or malformed addresses nobody."""
        data = data if isinstance(data, Mapping) else {}
        provider = data.get("provider") if isinstance(data.get("provider"), Mapping) else {}
        return cls(accounts=tuple(_strings(data.get("accounts"))),
                   provider_id=provider.get("id") or None,
                   roles=tuple(_strings(provider.get("roles"))),
                   staff_roles=tuple(_strings(data.get("staff_roles"))))


def audience(provider_id: str | None = None, roles: Iterable[str] = (),
             staff_roles: Iterable[str] = (), accounts: Iterable[str] = ()) -> dict[str, Any]:
    """The ``audience`` field of an event, built in one place for every service."""
    return Audience(tuple(accounts), provider_id, tuple(roles), tuple(staff_roles)).as_data()


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
