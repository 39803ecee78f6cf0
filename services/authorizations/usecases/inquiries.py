"""Inquiries: the provider side writes to the operator about a request or in general, under one
of two subjects, and reads the answers as a thread (003 "Comunicazioni con Pronto-Care")."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ponte.caller import Caller
from ponte.contracts.authorizations import OPEN
from ponte.db import new_id
from ponte.errors import InvalidInput, NotFound
from ponte.pagination import page
from ponte.roles import OPERATOR
from ponte.service_layer import Context, UnitOfWork
from services.authorizations import events
from services.authorizations.domain.callers import require_provider_side, side
from services.authorizations.domain.forms import form_errors, raise_if_any, together
from services.authorizations.domain.inquiries import status_after_message
from services.authorizations.events import INQUIRY_ROLES
from services.authorizations.models import inquiries
from services.authorizations.repository import Repository
from services.authorizations.usecases.callers import identify, remember_author
from services.authorizations.usecases.lookups import appointment_errors
from services.authorizations.views import inquiry_view, message_view


def _is_operator(caller: Caller) -> bool:
    return caller.has_staff_role(OPERATOR)


def _add_message(uow: UnitOfWork[Repository], caller: Caller, inquiry: dict[str, Any],
                 message: str, now: datetime) -> dict:
    row = uow.repo.add_inquiry_message(inquiry["id"], {
        "id": new_id(), "author_id": caller.account_id, "author_side": side(caller),
        "message": message, "created_at": now})
    uow.repo.set_inquiry_status(inquiry["id"], status_after_message(side(caller)), now)
    uow.publish(events.inquiry_message_added(inquiry, row,
                                             uow.repo.provider_name(inquiry["provider_id"])))
    return row


def create_inquiry(ctx: Context, caller: Mapping[str, Any], data: dict[str, Any]) -> dict:
    """About a request, a payment or an appointment of the provider, or in general; each one
    named must be the provider's (422 naming every field that is not)."""
    who = identify(ctx, caller)
    provider_id = data["provider_id"]
    require_provider_side(who, provider_id, *INQUIRY_ROLES, what="provider")
    errors = appointment_errors(ctx, who, provider_id, data.get("appointment_id"))
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        errors.update(_named_errors(uow.repo, provider_id, data))
        raise_if_any(together(form_errors(data), errors))
        inquiry = {"id": new_id(), "provider_id": provider_id, "subject": data["subject"],
                   "status": OPEN, "request_id": data.get("request_id"),
                   "payment_id": data.get("payment_id"),
                   "appointment_id": data.get("appointment_id"),
                   "created_by": who.account_id, "created_at": now, "updated_at": now}
        uow.repo.add_inquiry(inquiry)
        _add_message(uow, who, inquiry, data["message"], now)
        return _view(uow.repo, inquiry["id"])


def _named_errors(repo: Repository, provider_id: str,
                  data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The request and payment named, if any, are the provider's ("" names none: 422)."""
    errors: dict[str, list[str]] = {}
    if data.get("request_id") is not None:
        request = repo.request(data["request_id"])
        if request is None or request.provider_id != provider_id:
            errors["request_id"] = ["No such request of this provider."]
    if data.get("payment_id") is not None:
        payment = repo.payment(data["payment_id"])
        if payment is None or payment["provider_id"] != provider_id:
            errors["payment_id"] = ["No such payment of this provider."]
    return errors


def _view(repo: Repository, inquiry_id: str) -> dict:
    inquiry = repo.inquiry(inquiry_id)
    messages = repo.inquiry_messages([inquiry_id]).get(inquiry_id, [])
    return inquiry_view(inquiry, messages, repo.account_names(m["author_id"] for m in messages))


def _load(repo: Repository, caller: Caller, inquiry_id: str, lock: bool = False) -> dict:
    inquiry = repo.inquiry(inquiry_id, lock=lock)
    if inquiry is None:
        raise NotFound("No such inquiry.")
    if not _is_operator(caller):
        require_provider_side(caller, inquiry["provider_id"], *INQUIRY_ROLES, what="inquiry")
    return inquiry


def get_inquiry(ctx: Context, caller: Mapping[str, Any], inquiry_id: str) -> dict:
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        return _view(uow.repo, _load(uow.repo, who, inquiry_id)["id"])


def list_inquiries(ctx: Context, caller: Mapping[str, Any], provider_id: str | None,
                   status: str | None, limit: int, cursor: str | None) -> dict:
    who = identify(ctx, caller)
    if not _is_operator(who):
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        require_provider_side(who, provider_id, *INQUIRY_ROLES, what="provider")
    query = sa.select(inquiries)
    if provider_id:
        query = query.where(inquiries.c.provider_id == provider_id)
    if status:
        query = query.where(inquiries.c.status == status)
    with ctx.reading() as uow:
        rows, next_cursor = page(uow.repo.session, query,
                                 [inquiries.c.created_at, inquiries.c.id], limit, cursor)
        threads = uow.repo.inquiry_messages(r["id"] for r in rows)
        names = uow.repo.account_names(m["author_id"] for ms in threads.values() for m in ms)
    return {"items": [inquiry_view(r, threads.get(r["id"], []), names) for r in rows],
            "next_cursor": next_cursor}


def add_message(ctx: Context, caller: Mapping[str, Any], inquiry_id: str, message: str) -> dict:
    who = identify(ctx, caller)
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        inquiry = _load(uow.repo, who, inquiry_id, lock=True)
        row = _add_message(uow, who, inquiry, message, now)
        return message_view(row, uow.repo.account_names([who.account_id]))
