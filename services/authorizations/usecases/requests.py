"""Authorization requests from the provider side: drafts, items, attachments, submission with
number and protocol, reading, lists, the timeline, cancellation and appeal (001, 003)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ponte import calendar, clock
from ponte.config import settings
from ponte.db import Transaction, new_id
from ponte.errors import InvalidInput
from ponte.idempotency import run_once
from ponte.numbering import next_number
from ponte.pagination import page
from ponte.roles import AUDITOR, AUTHORIZATIONS, OPERATOR
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.catalogue import demand_type_errors
from services.authorizations.domain.codes import AuthorizationCode, normalise_identifier
from services.authorizations.domain.requests import (AUTHORIZED, AWAITING_AUDIT,
                                                     AuthorizationRequest, Item, item_errors,
                                                     protocol_number, request_number)
from services.authorizations.events import audience, publish_request_event
from services.authorizations.models import requests
from services.authorizations.repository import Repository
from services.authorizations.usecases import (Context, claim_files, load_request,
                                              remember_author)
from services.authorizations.views import (interaction_view, item_view, link, request_summary,
                                           request_view)

DESK = (OPERATOR, AUDITOR)


def view(ctx: Context, repo: Repository, request: AuthorizationRequest) -> dict[str, Any]:
    return request_view(request, repo.attachments_of(request.id), repo.code_of(request.id),
                        ctx.now)


# -- drafts and submission ----------------------------------------------------------------

def create_request(ctx: Context, actor: Actor, data: dict[str, Any],
                   idempotency: dict | None = None) -> dict[str, Any]:
    """A new request: kept as a draft, or submitted at once (the default)."""
    actor.require_provider(data["provider_id"], AUTHORIZATIONS, what="provider")
    draft = bool(data.get("draft"))
    remember_author(ctx, actor)

    def work(tx: Transaction) -> dict[str, Any]:
        repo = Repository(tx.session)
        given = data.get("items") or []
        catalogue = repo.procedures(i["procedure_code"] for i in given)
        errors = {**demand_type_errors(data["demand_group"], data["demand_type"]),
                  **item_errors(given, catalogue)}
        if not draft and not given:
            errors["items"] = ["A request needs at least one item (or send draft: true)."]
        if errors:
            raise InvalidInput("Some fields are invalid: " + ", ".join(sorted(errors)) + ".",
                               errors)
        files = claim_files(actor, data.get("attachment_ids"))
        request = AuthorizationRequest(
            provider_id=data["provider_id"], demand_group=data["demand_group"],
            demand_type=data["demand_type"], contact=dict(data["contact"]),
            professional_document=data["professional_document"],
            beneficiary={k: v for k, v in dict(data["beneficiary"]).items() if v is not None},
            observations=data.get("observations"), created_by=actor.account_id,
            created_at=ctx.now, items=[Item.from_input(i) for i in given])
        if draft:
            repo.add_request(request)
            repo.add_attachments(request.id, files, actor.account_id, ctx.now)
            return request_view(request, files, None, ctx.now)
        code = submit_in(ctx, tx, repo, request, actor, catalogue, new_files=files)
        return request_view(request, files, code, ctx.now)

    return run_once(ctx.db, idempotency, work)


def add_item(ctx: Context, actor: Actor, request_id: str, data: dict[str, Any]) -> dict:
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        actor.require_provider(request.provider_id, AUTHORIZATIONS)
        item = Item.from_input(data)
        request.add_item(item)
        errors = item_errors([data], repo.procedures([item.procedure_code]), prefix="")
        if errors:
            raise InvalidInput("The item is invalid: " + ", ".join(sorted(errors)) + ".", errors)
        repo.save_request(request)
        return item_view(item)


def remove_item(ctx: Context, actor: Actor, request_id: str, item_id: str) -> None:
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        actor.require_provider(request.provider_id, AUTHORIZATIONS)
        request.remove_item(item_id)
        repo.save_request(request)


def submit(ctx: Context, actor: Actor, request_id: str) -> dict:
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        actor.require_provider(request.provider_id, AUTHORIZATIONS)
        files = repo.attachments_of(request.id)  # read before the numbers are taken
        code = submit_in(ctx, tx, repo, request, actor)
        return request_view(request, files, code, ctx.now)


def submit_in(ctx: Context, tx: Transaction, repo: Repository, request: AuthorizationRequest,
              actor: Actor, catalogue: dict | None = None,
              new_files: list[dict] | None = None) -> AuthorizationCode | None:
    """Number, protocol and the first interaction; authorized at once unless an item needs
    review, otherwise due in one business day (001). ``new_files`` marks a request not stored
    yet (created and submitted at once): it is inserted whole.

    The numbers come last: their sequence rows stay locked until the transaction ends
    (``ponte.numbering``), so the request, its items, attachments and interaction are written
    before, and after the bumps only the number update, the code (which carries the number)
    and the events (one INSERT at the commit) are."""
    request.check_submittable()
    if catalogue is None:
        catalogue = repo.procedures(item.procedure_code for item in request.items)
        errors = item_errors([vars(item) for item in request.items], catalogue)
        if errors:  # the catalogue changed since the draft was written
            raise InvalidInput("Some items no longer match the catalogue.", errors)
    review = request.needs_review(catalogue)
    name = repo.provider_name(request.provider_id)
    request.submit(ctx.now, review, calendar.next_business_day(ctx.now) if review else None)
    if new_files is None:
        repo.save_request(request)
    else:
        repo.add_request(request)
        repo.add_attachments(request.id, new_files, actor.account_id, ctx.now)
    repo.add_interaction(request.id, new_id(), "submission", actor.account_id, actor.side,
                         request.observations, ctx.now, first=new_files is not None)
    request.assign_numbers(*take_numbers(tx, ctx.now))
    repo.save_numbers(request)
    code = release_code(ctx, repo, request) if request.status == AUTHORIZED else None
    publish_request_event(tx, "request_submitted", request, actor.account_id, name,
                          staff_roles=[AUDITOR] if request.status == AWAITING_AUDIT else [],
                          submitted_at=clock.iso(request.submitted_at),
                          due_at=clock.iso(request.due_at))
    if code is not None:
        publish_request_event(tx, "request_authorized", request, actor.account_id, name,
                              code=code.code, valid_until=code.valid_until.isoformat(),
                              procedure_codes=list(code.procedure_codes), at_submission=True)
    return code


def take_numbers(tx: Transaction, now: datetime) -> tuple[str, str]:
    """The next request number, then the next protocol of the (local) day — always in this
    order, so two submissions never each hold the row the other waits for."""
    today = clock.local_today(now)
    number = request_number(next_number(tx.session, "authorization_request"))
    protocol = protocol_number(settings().operator_ans_code, today,
                               next_number(tx.session, "protocol", scope=f"{today:%Y%m%d}"))
    return number, protocol


def release_code(ctx: Context, repo: Repository,
                 request: AuthorizationRequest) -> AuthorizationCode:
    """The code covers the authorized items only, and is valid from today (local) for 90 days."""
    procedure_codes = tuple(dict.fromkeys(i.procedure_code for i in request.authorized_items))
    code = AuthorizationCode(request_id=request.id, request_number=request.number or "",
                             procedure_codes=procedure_codes, beneficiary=request.beneficiary,
                             professional_document=request.professional_document,
                             released_on=clock.local_today(ctx.now))
    repo.add_code(code)
    return code


# -- reading ------------------------------------------------------------------------------

def get_request(ctx: Context, actor: Actor, request_id: str) -> dict:
    with ctx.db.read() as session:
        repo = Repository(session)
        return view(ctx, repo, load_request(repo, actor, request_id, AUTHORIZATIONS))


def list_requests(ctx: Context, actor: Actor, filters: dict[str, Any], limit: int,
                  cursor: str | None) -> dict:
    """The manual's table (001): date, protocol, number, demand group, beneficiary, status;
    newest first. Operator staff see every provider's; the provider side its own."""
    provider_id = filters.get("provider_id")
    if not actor.is_desk or provider_id:
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        if not actor.is_desk:
            actor.require_provider(provider_id, AUTHORIZATIONS, what="provider")
    c = requests.c
    query = sa.select(c.id, c.provider_id, c.number, c.protocol, c.submitted_at, c.demand_group,
                      c.demand_type, c.beneficiary, c.status, c.due_at, c.created_at)
    for column, key in ((c.provider_id, "provider_id"), (c.status, "status"),
                        (c.number, "number"), (c.protocol, "protocol"),
                        (c.demand_group, "demand_group"), (c.demand_type, "demand_type")):
        if filters.get(key):
            query = query.where(column == filters[key])
    if filters.get("beneficiary"):
        who = normalise_identifier(filters["beneficiary"])
        query = query.where(sa.or_(c.beneficiary_cpf == who, c.beneficiary_card == who))
    if filters.get("date"):
        start = datetime.combine(filters["date"], datetime.min.time(), clock.local_zone())
        query = query.where(c.submitted_at >= start, c.submitted_at < start + timedelta(days=1))
    with ctx.db.read() as session:
        rows, next_cursor = page(session, query, [c.created_at, c.id], limit, cursor)
    return {"items": [request_summary(r, ctx.now) for r in rows], "next_cursor": next_cursor}


def interactions(ctx: Context, actor: Actor, request_id: str) -> dict:
    with ctx.db.read() as session:
        repo = Repository(session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS)
        rows = repo.interactions_of(request.id)
        files: dict[str | None, list[dict]] = {}
        for attachment in repo.attachments_of(request.id):
            files.setdefault(attachment["interaction_id"], []).append(attachment)
        names = repo.account_names(r["author_id"] for r in rows)
    items = []
    for row in rows:
        # files attached while drafting are shown with the submission
        own = files.get(row["id"], []) + (files.get(None, []) if row["kind"] == "submission"
                                          else [])
        items.append(interaction_view(row, own, names))
    return {"items": items, "next_cursor": None}


# -- the provider side and the desk talk ----------------------------------------------------

def add_interaction(ctx: Context, actor: Actor, request_id: str, message: str,
                    kind: str = "message", attachment_ids: list[str] | None = None) -> dict:
    """A message or a document (an invoice, an exam) from either side (001, 003)."""
    if not (message or "").strip():
        raise InvalidInput("Write a message.", {"message": ["Must not be blank."]})
    with ctx.db.read() as session:  # may the caller write here? then claim the files
        load_request(Repository(session), actor, request_id, AUTHORIZATIONS)
    files = claim_files(actor, attachment_ids)
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        row = repo.add_interaction(request.id, new_id(), kind, actor.account_id, actor.side,
                                   message, ctx.now)
        repo.add_attachments(request.id, files, actor.account_id, ctx.now,
                             interaction_id=row["id"])
        from_provider = actor.side == "provider"
        tx.publish("interaction_added", {
            "request_id": request.id, "interaction_id": row["id"], "kind": kind,
            "provider_id": request.provider_id, "number": request.number,
            "protocol": request.protocol, "author_side": actor.side,
            "actor_account_id": actor.account_id, "link": link(request.id),
            "provider_legal_name": repo.provider_name(request.provider_id),
            "attachments": len(files),
            "audience": audience(None if from_provider else request.provider_id,
                                 [] if from_provider else [AUTHORIZATIONS],
                                 DESK if from_provider else [])})
        names = repo.account_names([actor.account_id])
        return interaction_view(row, files, names)


def cancel(ctx: Context, actor: Actor, request_id: str, reason: str) -> dict:
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        actor.require_provider(request.provider_id, AUTHORIZATIONS)
        was_in_audit = request.status == AWAITING_AUDIT
        request.cancel(reason, ctx.now)
        repo.save_request(request)
        repo.add_interaction(request.id, new_id(), "cancellation", actor.account_id,
                             actor.side, reason, ctx.now)
        publish_request_event(tx, "request_cancelled", request, actor.account_id,
                              repo.provider_name(request.provider_id), reason=reason,
                              staff_roles=[AUDITOR] if was_in_audit else [])
        return view(ctx, repo, request)


def appeal(ctx: Context, actor: Actor, request_id: str, justification: str) -> dict:
    """A denied plan goes back to audit with a justification (001)."""
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        request = load_request(repo, actor, request_id, AUTHORIZATIONS, lock=True)
        actor.require_provider(request.provider_id, AUTHORIZATIONS)
        request.appeal(justification, ctx.now, calendar.next_business_day(ctx.now))
        repo.save_request(request)
        repo.add_interaction(request.id, new_id(), "appeal", actor.account_id, actor.side,
                             justification, ctx.now)
        publish_request_event(tx, "request_appealed", request, actor.account_id,
                              repo.provider_name(request.provider_id), staff_roles=[AUDITOR],
                              justification=justification, due_at=clock.iso(request.due_at))
        return view(ctx, repo, request)
