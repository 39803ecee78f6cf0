"""Payments (liquidations): the operator records them, the provider's billing side lists them
(003 "Liquidazioni")."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from ponte.db import new_id
from ponte.errors import Forbidden, InvalidInput, NotFound
from ponte.pagination import page
from ponte.roles import BILLING, OPERATOR
from ponte.service_layer import Context
from services.authorizations import events
from services.authorizations.domain.callers import require_provider_side
from services.authorizations.domain.forms import form_errors, raise_if_any, together
from services.authorizations.domain.money import parse_amount, withheld
from services.authorizations.models import payments
from services.authorizations.usecases.callers import identify
from services.authorizations.views import payment_view


def provider_name(ctx: Context, provider_id: str) -> str | None:
    """The provider's legal name from the read model, or from identity when its event is still
    on the way (then kept). Asked before any transaction opens."""
    with ctx.reading() as uow:
        name = uow.repo.provider_name(provider_id)
    if name is not None:
        return name
    try:
        name = ctx.rpc("identity", "get_provider", provider_id)["legal_name"]
    except (NotFound, InvalidInput):
        return None
    if name:
        with ctx.unit() as uow:
            uow.repo.save_provider(provider_id, name, ctx.clock())
    return name


def record_payment(ctx: Context, caller: Mapping[str, Any], data: dict[str, Any]) -> dict:
    """A payment of an invoice: a known provider, its own request if one is named, no more
    paid than invoiced; every one of these mistakes reported at once (422)."""
    who = identify(ctx, caller)
    if not who.has_staff_role(OPERATOR):
        raise Forbidden("Only the operator records payments.")
    form = form_errors(data)
    invoice = data.get("invoice") or {}
    errors: dict[str, list[str]] = {}
    kept = None
    if "amount" in invoice and "amount_paid" in data:
        try:
            kept = withheld(parse_amount(invoice["amount"]), parse_amount(data["amount_paid"]))
        except InvalidInput as exc:
            errors.update(exc.errors or {})
    provider_id = data.get("provider_id")
    legal_name = provider_name(ctx, provider_id) if provider_id is not None else None
    if provider_id is not None and legal_name is None:
        errors["provider_id"] = ["No such provider."]
    with ctx.unit() as uow:
        if data.get("request_id") is not None and provider_id is not None:  # "" names none
            request = uow.repo.request(data["request_id"])
            if request is None or request.provider_id != provider_id:
                errors["request_id"] = ["No such request of this provider."]
        raise_if_any(together(form, errors))
        row = {"id": new_id(), "provider_id": provider_id,
               "request_id": data.get("request_id"), "beneficiary": data.get("beneficiary"),
               "invoice_number": str(invoice["number"]).strip(),
               "invoice_issued_on": date.fromisoformat(invoice["issued_on"]),
               "invoice_amount": parse_amount(invoice["amount"]),
               "amount_paid": parse_amount(data["amount_paid"]), "withheld": None,
               "paid_on": date.fromisoformat(data["paid_on"]), "recorded_by": who.account_id,
               "created_at": ctx.clock()}
        row["withheld"] = kept
        uow.repo.add_payment(row)
        uow.publish(events.payment_registered(row, legal_name, who.account_id))
    return payment_view(row)


def list_payments(ctx: Context, caller: Mapping[str, Any], provider_id: str | None, limit: int,
                  cursor: str | None) -> dict:
    who = identify(ctx, caller)
    if not who.has_staff_role(OPERATOR):
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        require_provider_side(who, provider_id, BILLING, what="provider")
    query = sa.select(payments)
    if provider_id:
        query = query.where(payments.c.provider_id == provider_id)
    with ctx.reading() as uow:
        rows, next_cursor = page(uow.repo.session, query, [payments.c.created_at, payments.c.id],
                                 limit, cursor)
    return {"items": [payment_view(r) for r in rows], "next_cursor": next_cursor}
