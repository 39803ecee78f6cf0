"""The events of the authorizations service (docs/events.md), written to the outbox with the
change that causes them. Each carries its ``audience`` so notifications address it without
calling back: the provider side holding the named roles, staff holding the named roles, and
accounts told directly."""
from __future__ import annotations

from typing import Any, Iterable

from ponte.db import Transaction
from ponte.roles import AUTHORIZATIONS
from services.authorizations.domain.requests import AuthorizationRequest
from services.authorizations.views import link


def audience(provider_id: str | None = None, roles: Iterable[str] = (),
             staff_roles: Iterable[str] = (), accounts: Iterable[str] = ()) -> dict[str, Any]:
    return {"accounts": list(accounts),
            "provider": {"id": provider_id, "roles": list(roles)} if provider_id else None,
            "staff_roles": list(staff_roles)}


def publish_request_event(tx: Transaction, event_type: str, request: AuthorizationRequest,
                          actor_id: str | None, provider_name: str | None, *,
                          provider_roles: Iterable[str] = (AUTHORIZATIONS,),
                          staff_roles: Iterable[str] = (), **extra: Any) -> None:
    tx.publish(event_type, {
        "request_id": request.id, "provider_id": request.provider_id,
        "provider_legal_name": provider_name, "number": request.number,
        "protocol": request.protocol, "status": request.status,
        "demand_group": request.demand_group, "demand_type": request.demand_type,
        "beneficiary_name": request.beneficiary.get("name"), "link": link(request.id),
        "actor_account_id": actor_id,
        "audience": audience(request.provider_id if provider_roles else None, provider_roles,
                             staff_roles),
        **extra})
