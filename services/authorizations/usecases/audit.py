"""The audit desk: the queue (oldest due first), decisions per item, the overdue alarm, and the
verification of authorization codes (001)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ponte import clock
from ponte.contracts.authorizations import DECISION
from ponte.db import new_id
from ponte.errors import Forbidden, NotFound
from ponte.pagination import page
from ponte.roles import AUDITOR, AUTHORIZATIONS
from ponte.service_layer import Context
from services.authorizations import events
from services.authorizations.domain.callers import is_desk, may_see, side
from services.authorizations.domain.codes import normalise_code
from services.authorizations.domain.requests import AWAITING_AUDIT, DENIED
from services.authorizations.models import requests
from services.authorizations.usecases.callers import identify, remember_author
from services.authorizations.usecases.requests import load_request, release_code, view
from services.authorizations.views import request_summary

OVERDUE_BATCH = 100


def decide(ctx: Context, caller: Mapping[str, Any], request_id: str, outcome: str,
           items: list[dict[str, Any]] | None, justification: str | None,
           denial_reason: str | None = None) -> dict:
    """``denial_reason`` applies to every denied item unless an item names its own."""
    who = identify(ctx, caller)
    if not who.has_staff_role(AUDITOR):
        raise Forbidden("Only auditors decide on authorization requests.")
    decisions = {str(i["item_id"]): bool(i["authorized"]) for i in items or []}
    own = {str(i["item_id"]): i.get("denial_reason") for i in items or []}
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = load_request(repo, who, request_id, lock=True)
        request.decide(outcome, decisions, justification, now, own, denial_reason)
        repo.save_request(request)
        repo.add_interaction(request.id, new_id(), DECISION, who.account_id, side(who),
                             justification or None, now)
        code = release_code(repo, request, now) if request.status != DENIED else None
        uow.publish(events.request_decided(request, who.account_id,
                                           repo.provider_name(request.provider_id),
                                           justification, code))
        return view(repo, request, now)


def audit_queue(ctx: Context, caller: Mapping[str, Any], limit: int, cursor: str | None) -> dict:
    """What awaits audit, the oldest due first; overdue ones are flagged."""
    if not is_desk(identify(ctx, caller)):
        raise Forbidden("The audit queue is for the operator's auditors.")
    c = requests.c
    query = sa.select(c.id, c.provider_id, c.number, c.protocol, c.submitted_at, c.demand_group,
                      c.demand_type, c.beneficiary, c.status, c.due_at,
                      c.created_at).where(c.status == AWAITING_AUDIT)
    with ctx.reading() as uow:
        rows, next_cursor = page(uow.repo.session, query, [requests.c.due_at, requests.c.id],
                                 limit, cursor, descending=False)
    now = ctx.clock()
    return {"items": [request_summary(r, now) for r in rows], "next_cursor": next_cursor}


def announce_overdue(ctx: Context) -> int:
    """``audit_overdue`` once per audit round of a request, when its due time has passed."""
    announced = 0
    now = ctx.clock()
    while True:
        with ctx.unit() as uow:
            due = uow.repo.due_unnotified(now, OVERDUE_BATCH)
            for request in due:
                request.overdue_notified = True
                uow.repo.save_request(request)
                uow.publish(events.audit_overdue(request,
                                                 uow.repo.provider_name(request.provider_id)))
        announced += len(due)
        if len(due) < OVERDUE_BATCH:
            return announced


def check_code(ctx: Context, caller: Mapping[str, Any], code: str,
               beneficiary: str | None = None, professional_document: str | None = None,
               procedure_code: str | None = None) -> dict:
    """Valid, or not with the reason, for the beneficiary, professional and procedure given."""
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        found = uow.repo.code(normalise_code(code))
        if found is None:
            raise NotFound("No such authorization code.")
        request = uow.repo.request(found.request_id)
    if request is None or not may_see(who, request.provider_id, AUTHORIZATIONS):
        raise NotFound("No such authorization code.")
    valid, reason = found.check(clock.local_today(ctx.clock()), beneficiary,
                                professional_document, procedure_code)
    return {"code": found.code, "valid": valid, "reason": reason,
            "valid_until": found.valid_until.isoformat(), "request_number": found.request_number,
            "request_id": found.request_id, "procedure_codes": list(found.procedure_codes)}
