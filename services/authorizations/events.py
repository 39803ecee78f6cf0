"""Every event the authorizations service publishes (docs/events.md), built here and recorded
with ``uow.publish`` in the transaction of the change that causes it. Each carries its
``audience`` (``ponte.contracts.audience``) so notifications address it without calling back."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ponte.clock import iso
from ponte.contracts.audience import audience
from ponte.contracts.authorizations import AWAITING_AUDIT, PROVIDER_SIDE
from ponte.roles import AUDITOR, AUTHORIZATIONS, BILLING, OPERATOR
from ponte.service_layer import Event
from services.authorizations.domain.callers import DESK
from services.authorizations.domain.codes import AuthorizationCode
from services.authorizations.domain.money import amount_text
from services.authorizations.domain.requests import DENIED, AuthorizationRequest
from services.authorizations.views import link

INQUIRY_ROLES: tuple[str, ...] = (AUTHORIZATIONS, BILLING)
"""The provider side that writes and reads inquiries."""


def request_event(event_type: str, request: AuthorizationRequest, actor_id: str | None,
                  provider_name: str | None, *,
                  provider_roles: Iterable[str] = (AUTHORIZATIONS,),
                  staff_roles: Iterable[str] = (), **extra: Any) -> Event:
    """``request_*`` and ``audit_overdue``: the request as the timeline's reader knows it."""
    provider_roles = list(provider_roles)
    return Event(event_type, {
        "request_id": request.id, "provider_id": request.provider_id,
        "provider_legal_name": provider_name, "number": request.number,
        "protocol": request.protocol, "status": request.status,
        "demand_group": request.demand_group, "demand_type": request.demand_type,
        "beneficiary_name": request.beneficiary.get("name"), "link": link(request.id),
        "actor_account_id": actor_id,
        "audience": audience(request.provider_id if provider_roles else None, provider_roles,
                             staff_roles),
        **extra})


def request_submitted(request: AuthorizationRequest, actor_id: str,
                      provider_name: str | None, code: AuthorizationCode | None = None) -> Event:
    """Auditors are told when it waits for them; the provider side always. A request authorized
    at its submission (no item needs an audit) carries its ``code`` here: one event for one
    change, which notifications tells as two notices, submitted and authorized (issue 21)."""
    return request_event("request_submitted", request, actor_id, provider_name,
                         staff_roles=[AUDITOR] if request.status == AWAITING_AUDIT else [],
                         submitted_at=iso(request.submitted_at), due_at=iso(request.due_at),
                         **(_code(code) if code is not None else {}))


def _code(code: AuthorizationCode) -> dict[str, Any]:
    return {"code": code.code, "valid_until": code.valid_until.isoformat(),
            "procedure_codes": list(code.procedure_codes)}


def request_decided(request: AuthorizationRequest, actor_id: str, provider_name: str | None,
                    justification: str | None, code: AuthorizationCode | None) -> Event:
    """``request_<outcome>``: what was authorized, what was denied and why, the code."""
    return request_event(
        f"request_{request.status}", request, actor_id, provider_name,
        justification=justification,
        authorized_item_ids=[i.id for i in request.authorized_items],
        denied_items=[{"item_id": i.id, "procedure_code": i.procedure_code,
                       "denial_reason": i.denial_reason}
                      for i in request.items if i.status == DENIED],
        **(_code(code) if code is not None else {}))


def request_appealed(request: AuthorizationRequest, actor_id: str, provider_name: str | None,
                     justification: str, attachments: int) -> Event:
    return request_event("request_appealed", request, actor_id, provider_name,
                         staff_roles=[AUDITOR], justification=justification,
                         due_at=iso(request.due_at), attachments=attachments)


def request_cancelled(request: AuthorizationRequest, actor_id: str, provider_name: str | None,
                      reason: str, was_in_audit: bool) -> Event:
    """Auditors hear of it only when it was waiting for them."""
    return request_event("request_cancelled", request, actor_id, provider_name, reason=reason,
                         staff_roles=[AUDITOR] if was_in_audit else [])


def audit_overdue(request: AuthorizationRequest, provider_name: str | None) -> Event:
    return request_event("audit_overdue", request, None, provider_name, provider_roles=(),
                         staff_roles=[AUDITOR], due_at=iso(request.due_at))


def interaction_added(request: AuthorizationRequest, interaction: Mapping[str, Any],
                      provider_name: str | None, attachments: int) -> Event:
    """A message or document, addressed to the other side."""
    from_provider = interaction["author_side"] == PROVIDER_SIDE
    return Event("interaction_added", {
        "request_id": request.id, "interaction_id": interaction["id"],
        "kind": interaction["kind"], "provider_id": request.provider_id,
        "number": request.number, "protocol": request.protocol,
        "author_side": interaction["author_side"],
        "actor_account_id": interaction["author_id"], "link": link(request.id),
        "provider_legal_name": provider_name, "attachments": attachments,
        "audience": audience(None if from_provider else request.provider_id,
                             [] if from_provider else [AUTHORIZATIONS],
                             DESK if from_provider else [])})


def payment_registered(payment: Mapping[str, Any], provider_name: str, actor_id: str) -> Event:
    """The provider's billing side is told of a payment."""
    paid_on: date = payment["paid_on"]
    amount_paid: Decimal = payment["amount_paid"]
    return Event("payment_registered", {
        "payment_id": payment["id"], "provider_id": payment["provider_id"],
        "provider_legal_name": provider_name, "request_id": payment["request_id"],
        "invoice_number": payment["invoice_number"], "amount_paid": amount_text(amount_paid),
        "invoice_amount": amount_text(payment["invoice_amount"]),
        "paid_on": paid_on.isoformat(), "actor_account_id": actor_id,
        "link": f"/api/v1/payments?provider_id={payment['provider_id']}",
        "audience": audience(payment["provider_id"], [BILLING])})


def inquiry_message_added(inquiry: Mapping[str, Any], message: Mapping[str, Any],
                          provider_name: str | None) -> Event:
    """A message of an inquiry's thread, addressed to the other side."""
    from_provider = message["author_side"] == PROVIDER_SIDE
    return Event("inquiry_message_added", {
        "inquiry_id": inquiry["id"], "message_id": message["id"],
        "subject": inquiry["subject"], "provider_id": inquiry["provider_id"],
        "request_id": inquiry["request_id"], "payment_id": inquiry["payment_id"],
        "appointment_id": inquiry["appointment_id"], "provider_legal_name": provider_name,
        "author_side": message["author_side"], "actor_account_id": message["author_id"],
        "link": f"/api/v1/inquiries/{inquiry['id']}",
        "audience": audience(None if from_provider else inquiry["provider_id"],
                             [] if from_provider else list(INQUIRY_ROLES),
                             [OPERATOR] if from_provider else [])})

