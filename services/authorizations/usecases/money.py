"""Payments (liquidations): the operator records them, the provider's billing side lists them
(003 "Liquidazioni")."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ponte.db import new_id
from ponte.errors import Forbidden, InvalidInput, NotFound
from ponte.pagination import page
from ponte.roles import BILLING, OPERATOR
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.money import amount_text, parse_amount, withheld
from services.authorizations.events import audience
from services.authorizations.models import payments
from services.authorizations.repository import Repository
from services.authorizations.usecases import Context
from services.authorizations.views import payment_view


def _date(value: Any, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be a date.", {field: ["A date YYYY-MM-DD."]}) from None


def know_provider(ctx: Context, repo: Repository, provider_id: str) -> str:
    """The provider's legal name from the read model, or from identity when its event is still
    on the way; an unknown provider is invalid input."""
    name = repo.provider_name(provider_id)
    if name is None and ctx.remote is not None:
        try:
            name = ctx.remote("identity", "get_provider", provider_id)["legal_name"]
        except (NotFound, InvalidInput):
            name = None
        if name:
            repo.save_provider(provider_id, name, ctx.now)
    if name is None:
        raise InvalidInput("No such provider.", {"provider_id": ["No such provider."]})
    return name


def record_payment(ctx: Context, actor: Actor, data: dict[str, Any]) -> dict:
    if not actor.is_staff(OPERATOR):
        raise Forbidden("Only the operator records payments.")
    invoice = data["invoice"]
    amount = parse_amount(invoice.get("amount"), "invoice.amount")
    paid = parse_amount(data.get("amount_paid"), "amount_paid")
    row = {"id": new_id(), "provider_id": data["provider_id"],
           "request_id": data.get("request_id"), "beneficiary": data.get("beneficiary"),
           "invoice_number": str(invoice["number"]).strip(),
           "invoice_issued_on": _date(invoice["issued_on"], "invoice.issued_on"),
           "invoice_amount": amount, "amount_paid": paid, "withheld": withheld(amount, paid),
           "paid_on": _date(data["paid_on"], "paid_on"), "recorded_by": actor.account_id,
           "created_at": ctx.now}
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        legal_name = know_provider(ctx, repo, row["provider_id"])
        if row["request_id"] is not None:  # "" is no request either: 422, not stored
            request = repo.request(row["request_id"])
            if request is None or request.provider_id != row["provider_id"]:
                raise InvalidInput("No such request of this provider.",
                                   {"request_id": ["No such request of this provider."]})
        repo.add_payment(row)
        tx.publish("payment_registered", {
            "payment_id": row["id"], "provider_id": row["provider_id"],
            "provider_legal_name": legal_name, "request_id": row["request_id"],
            "invoice_number": row["invoice_number"], "amount_paid": amount_text(paid),
            "invoice_amount": amount_text(amount), "paid_on": row["paid_on"].isoformat(),
            "actor_account_id": actor.account_id,
            "link": f"/api/v1/payments?provider_id={row['provider_id']}",
            "audience": audience(row["provider_id"], [BILLING])})
    return payment_view(row)


def list_payments(ctx: Context, actor: Actor, provider_id: str | None, limit: int,
                  cursor: str | None) -> dict:
    if not actor.is_staff(OPERATOR):
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        actor.require_provider(provider_id, BILLING, what="provider")
    query = sa.select(payments)
    if provider_id:
        query = query.where(payments.c.provider_id == provider_id)
    with ctx.db.read() as session:
        rows, next_cursor = page(session, query, [payments.c.created_at, payments.c.id], limit,
                                 cursor)
    return {"items": [payment_view(r) for r in rows], "next_cursor": next_cursor}
