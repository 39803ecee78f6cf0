"""The audit desk: the queue (oldest due first), decisions per item, the overdue alarm, and the
verification of authorization codes (001)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ponte import clock
from ponte.db import new_id
from ponte.errors import Forbidden, NotFound
from ponte.pagination import page
from ponte.roles import AUDITOR, AUTHORIZATIONS
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.codes import normalise_code
from services.authorizations.domain.requests import AWAITING_AUDIT, DENIED
from services.authorizations.events import publish_request_event
from services.authorizations.models import requests
from services.authorizations.repository import Repository
from services.authorizations.usecases import Context, load_request, remember_author
from services.authorizations.usecases.requests import release_code, view
from services.authorizations.views import request_summary


def decide(ctx: Context, actor: Actor, request_id: str, outcome: str,
           items: list[dict[str, Any]] | None, justification: str | None,
           denial_reason: str | None = None) -> dict:
    """``denial_reason`` applies to every denied item unless an item names its own."""
    if not actor.is_staff(AUDITOR):
        raise Forbidden("Only auditors decide on authorization requests.")
    decisions = {str(i["item_id"]): bool(i["authorized"]) for i in items or []}
    own = {str(i["item_id"]): i.get("denial_reason") for i in items or []}
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, lock=True)
        request.decide(outcome, decisions, justification, ctx.now, own, denial_reason)
        repo.save_request(request)
        repo.add_interaction(request.id, new_id(), "decision", actor.account_id, actor.side,
                             justification or None, ctx.now)
        extra: dict[str, Any] = {
            "justification": justification,
            "authorized_item_ids": [i.id for i in request.authorized_items],
            "denied_items": [{"item_id": i.id, "procedure_code": i.procedure_code,
                              "denial_reason": i.denial_reason}
                             for i in request.items if i.status == DENIED]}
        if request.status != DENIED:
            code = release_code(ctx, repo, request)
            extra.update(code=code.code, valid_until=code.valid_until.isoformat(),
                         procedure_codes=list(code.procedure_codes))
        publish_request_event(tx, f"request_{request.status}", request, actor.account_id,
                              repo.provider_name(request.provider_id), **extra)
        return view(ctx, repo, request)


def audit_queue(ctx: Context, actor: Actor, limit: int, cursor: str | None) -> dict:
    """What awaits audit, the oldest due first; overdue ones are flagged."""
    if not actor.is_desk:
        raise Forbidden("The audit queue is for the operator's auditors.")
    c = requests.c
    query = sa.select(c.id, c.provider_id, c.number, c.protocol, c.submitted_at, c.demand_group,
                      c.demand_type, c.beneficiary, c.status, c.due_at,
                      c.created_at).where(c.status == AWAITING_AUDIT)
    with ctx.db.read() as session:
        rows, next_cursor = page(session, query, [requests.c.due_at, requests.c.id], limit,
                                 cursor, descending=False)
    return {"items": [request_summary(r, ctx.now) for r in rows], "next_cursor": next_cursor}


def announce_overdue(ctx: Context) -> int:
    """``audit_overdue`` once per audit round of a request, when its due time has passed."""
    announced = 0
    while True:
        with ctx.db.transaction() as tx:
            repo = Repository(tx.session)
            due = repo.due_unnotified(ctx.now)
            for request in due:
                request.overdue_notified = True
                repo.save_request(request)
                publish_request_event(tx, "audit_overdue", request, None,
                                      repo.provider_name(request.provider_id),
                                      provider_roles=(), staff_roles=[AUDITOR],
                                      due_at=clock.iso(request.due_at))
        announced += len(due)
        if len(due) < 100:
            return announced


def check_code(ctx: Context, actor: Actor, code: str, beneficiary: str | None = None,
               professional_document: str | None = None,
               procedure_code: str | None = None) -> dict:
    """Valid, or not with the reason, for the beneficiary, professional and procedure given."""
    with ctx.db.read() as session:
        repo = Repository(session)
        found = repo.code(normalise_code(code))
        if found is None:
            raise NotFound("No such authorization code.")
        request = repo.request(found.request_id)
    if request is None or not actor.may_see(request.provider_id, AUTHORIZATIONS):
        raise NotFound("No such authorization code.")
    valid, reason = found.check(clock.local_today(ctx.now), beneficiary, professional_document,
                                procedure_code)
    return {"code": found.code, "valid": valid, "reason": reason,
            "valid_until": found.valid_until.isoformat(), "request_number": found.request_number,
            "request_id": found.request_id, "procedure_codes": list(found.procedure_codes)}
