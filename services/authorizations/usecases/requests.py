"""Authorization requests from the provider side: drafts, items, attachments, submission with
number and protocol, reading, lists, the timeline, cancellation and appeal (001, 003)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ponte import attachments as uploads
from ponte import calendar, clock
from ponte.caller import Caller
from ponte.contracts.authorizations import APPEAL, CANCELLATION, MESSAGE, SUBMISSION
from ponte.db import new_id
from ponte.errors import InvalidInput, NotFound
from ponte.idempotency import run_once
from ponte.numbering import in_turn, next_number
from ponte.roles import AUTHORIZATIONS
from ponte.service_layer import Context, UnitOfWork
from services.authorizations import events
from services.authorizations.domain.callers import (
    is_desk,
    require_provider_side,
    require_sees,
    side,
)
from services.authorizations.domain.catalogue import demand_type_errors
from services.authorizations.domain.codes import AuthorizationCode, normalise_identifier
from services.authorizations.domain.forms import form_errors, raise_if_any, together
from services.authorizations.domain.requests import (
    AUTHORIZED,
    AWAITING_AUDIT,
    AuthorizationRequest,
    Item,
    item_errors,
    protocol_number,
    request_number,
    require_complete_profile,
)
from services.authorizations.repository import EXACT_FILTERS, Repository
from services.authorizations.usecases.callers import identify, remember_author
from services.authorizations.usecases.lookups import appointment_errors, missing_profile
from services.authorizations.views import interaction_view, item_view, request_summary, request_view

HOLDER = "authorizations"
NUMBERS = "authorization_request"
"""The sequence of request numbers; a submission takes the day's protocol after it, in the same
serial section (:func:`take_numbers`), so its transaction runs ``in_turn(NUMBERS)``."""


def claim_files(caller: Caller, attachment_ids: list[str] | None) -> list[dict]:
    """Only uploads made by the caller can be attached (``ponte.attachments``)."""
    if not attachment_ids:
        return []
    return uploads.claim(list(dict.fromkeys(attachment_ids)), caller.account_id, HOLDER)


def load_request(repo: Repository, caller: Caller, request_id: str, *roles: str,
                 lock: bool = False) -> AuthorizationRequest:
    """The request if the caller may see it: the desk, or its provider side holding one of
    ``roles``; anyone else is told it does not exist."""
    request = repo.request(request_id, lock=lock)
    if request is None:
        raise NotFound("No such authorization request.")
    require_sees(caller, request.provider_id, *roles)
    return request


def view(repo: Repository, request: AuthorizationRequest, now: datetime) -> dict[str, Any]:
    return request_view(request, repo.attachments_of(request.id), repo.code_of(request.id), now)


# -- drafts and submission ----------------------------------------------------------------

def create_request(ctx: Context, caller: Mapping[str, Any], data: dict[str, Any],
                   idempotency: dict | None = None) -> dict[str, Any]:
    """A new request: kept as a draft, or submitted at once (the default). A care plan may name
    the appointment booked with the provider it was started from."""
    who = identify(ctx, caller)
    provider_id = data["provider_id"]
    require_provider_side(who, provider_id, AUTHORIZATIONS, what="provider")
    draft = bool(data.get("draft"))
    form = form_errors(data)
    appointment = appointment_errors(ctx, who, provider_id, data.get("appointment_id"))
    missing = [] if draft else missing_profile(ctx, provider_id)
    remember_author(ctx, who)
    now = ctx.clock()

    def work(tx: Any) -> dict[str, Any]:
        uow = UnitOfWork(ctx.repository(tx.session), tx.publish)
        repo = uow.repo
        given = data.get("items") or []
        catalogue = repo.procedures(i["procedure_code"] for i in given if "procedure_code" in i)
        raise_if_any(together(form, {**request_rule_errors(data, given, catalogue, draft),
                                     **appointment}))
        require_complete_profile(missing)
        files = claim_files(who, data.get("attachment_ids"))
        request = AuthorizationRequest(
            provider_id=provider_id, appointment_id=data.get("appointment_id"),
            demand_group=data["demand_group"],
            demand_type=data["demand_type"], contact=dict(data["contact"]),
            professional_document=data["professional_document"],
            beneficiary={k: v for k, v in dict(data["beneficiary"]).items() if v is not None},
            observations=data.get("observations"), created_by=who.account_id,
            created_at=now, items=[Item.from_input(i) for i in given])
        if draft:
            repo.add_request(request)
            repo.add_attachments(request.id, files, who.account_id, now)
            return request_view(request, files, None, now)
        code = submit_in(ctx, uow, request, who, now, missing, catalogue, new_files=files)
        return request_view(request, files, code, now)

    if draft:
        return run_once(ctx.db, idempotency, work)
    with in_turn(NUMBERS):
        return run_once(ctx.db, idempotency, work)


def request_rule_errors(data: Mapping[str, Any], items: list[Mapping[str, Any]],
                        catalogue: Mapping[str, Any], draft: bool) -> dict[str, list[str]]:
    """The service's own rules on the (valid part of the) body: the demand type of its group,
    each item against its procedure, and at least one item unless a draft. A field the
    gateway's schema refused is absent here; ``together`` drops what a rule says of it."""
    errors: dict[str, list[str]] = {}
    if "demand_group" in data:
        errors.update(demand_type_errors(data["demand_group"], data.get("demand_type", "")))
    errors.update(item_errors(items, catalogue))
    if not draft and not items and "items" in data and "draft" in data:
        errors["items"] = ["A request needs at least one item (or send draft: true)."]
    return errors


def add_item(ctx: Context, caller: Mapping[str, Any], request_id: str,
             data: dict[str, Any]) -> dict:
    who = identify(ctx, caller)
    with ctx.unit() as uow:
        request = load_request(uow.repo, who, request_id, AUTHORIZATIONS, lock=True)
        require_provider_side(who, request.provider_id, AUTHORIZATIONS)
        codes = [data["procedure_code"]] if "procedure_code" in data else []
        rules = item_errors([data], uow.repo.procedures(codes), prefix="")
        form = form_errors(data)
        if form:  # a refused body is answered whole, whatever the request's status
            raise_if_any(together(form, rules))
        item = Item.from_input(data)
        request.add_item(item)
        raise_if_any(rules)
        uow.repo.save_request(request)
        return item_view(item)


def remove_item(ctx: Context, caller: Mapping[str, Any], request_id: str, item_id: str) -> None:
    who = identify(ctx, caller)
    with ctx.unit() as uow:
        request = load_request(uow.repo, who, request_id, AUTHORIZATIONS, lock=True)
        require_provider_side(who, request.provider_id, AUTHORIZATIONS)
        request.remove_item(item_id)
        uow.repo.save_request(request)


def submit(ctx: Context, caller: Mapping[str, Any], request_id: str) -> dict:
    """A draft submitted: 409 with ``errors.profile`` while the provider's profile lacks
    fields (asked of identity first)."""
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        provider_id = load_request(uow.repo, who, request_id, AUTHORIZATIONS).provider_id
    require_provider_side(who, provider_id, AUTHORIZATIONS)
    missing = missing_profile(ctx, provider_id)
    remember_author(ctx, who)
    now = ctx.clock()
    with in_turn(NUMBERS), ctx.unit() as uow:
        request = load_request(uow.repo, who, request_id, AUTHORIZATIONS, lock=True)
        files = uow.repo.attachments_of(request.id)  # read before the numbers are taken
        code = submit_in(ctx, uow, request, who, now, missing)
        return request_view(request, files, code, now)


def submit_in(ctx: Context, uow: UnitOfWork[Repository], request: AuthorizationRequest,
              caller: Caller, now: datetime, missing: list[str],
              catalogue: dict | None = None,
              new_files: list[dict] | None = None) -> AuthorizationCode | None:
    """Number, protocol and the first interaction; authorized at once unless an item needs
    review, otherwise due in one business day (001). ``new_files`` marks a request not stored
    yet (created and submitted at once): it is inserted whole. A provider whose profile still
    lacks the fields ``missing`` may not submit (409).

    The numbers come last: their sequence rows stay locked until the transaction ends
    (``ponte.numbering``), so the request, its items, attachments and interaction are written
    before, and after the bumps only the number update, the code (which carries the number)
    and the events (one INSERT at the commit) are."""
    repo = uow.repo
    request.check_submittable()
    if catalogue is None:
        catalogue = repo.procedures(item.procedure_code for item in request.items)
        errors = item_errors([vars(item) for item in request.items], catalogue)
        if errors:  # the catalogue changed since the draft was written
            raise InvalidInput("Some items no longer match the catalogue.", errors)
    require_complete_profile(missing)
    review = request.needs_review(catalogue)
    name = repo.provider_name(request.provider_id)
    request.submit(now, review, calendar.next_business_day(now) if review else None)
    if new_files is None:
        repo.save_request(request)
    else:
        repo.add_request(request)
        repo.add_attachments(request.id, new_files, caller.account_id, now)
    repo.add_interaction(request.id, new_id(), SUBMISSION, caller.account_id, side(caller),
                         request.observations, now, first=new_files is not None)
    request.assign_numbers(*take_numbers(repo, now, ctx.settings["operator_ans_code"]))
    repo.save_numbers(request)
    code = release_code(repo, request, now) if request.status == AUTHORIZED else None
    uow.publish(events.request_submitted(request, caller.account_id, name, code))
    return code


def take_numbers(repo: Repository, now: datetime, ans_code: str) -> tuple[str, str]:
    """The next request number, then the next protocol of the (local) day — always in this
    order, so two submissions never each hold the row the other waits for."""
    today = clock.local_today(now)
    number = request_number(next_number(repo.session, NUMBERS))
    protocol = protocol_number(ans_code, today,
                               next_number(repo.session, "protocol", scope=f"{today:%Y%m%d}"))
    return number, protocol


def release_code(repo: Repository, request: AuthorizationRequest,
                 now: datetime) -> AuthorizationCode:
    """The code covers the authorized items only, and is valid from today (local) for 90 days."""
    procedure_codes = tuple(dict.fromkeys(i.procedure_code for i in request.authorized_items))
    code = AuthorizationCode(request_id=request.id, request_number=request.number or "",
                             procedure_codes=procedure_codes, beneficiary=request.beneficiary,
                             professional_document=request.professional_document,
                             released_on=clock.local_today(now))
    repo.add_code(code)
    return code


# -- reading ------------------------------------------------------------------------------

def get_request(ctx: Context, caller: Mapping[str, Any], request_id: str) -> dict:
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        return view(uow.repo, load_request(uow.repo, who, request_id, AUTHORIZATIONS),
                    ctx.clock())


def list_requests(ctx: Context, caller: Mapping[str, Any], filters: dict[str, Any], limit: int,
                  cursor: str | None) -> dict:
    """The manual's table (001): date, protocol, number, demand group, beneficiary, status;
    newest first. The desk sees every provider's; the provider side its own."""
    who = identify(ctx, caller)
    provider_id = filters.get("provider_id")
    if not is_desk(who) or provider_id:
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        if not is_desk(who):
            require_provider_side(who, provider_id, AUTHORIZATIONS, what="provider")
    given = {key: filters[key] for key in EXACT_FILTERS if filters.get(key)}
    if filters.get("beneficiary"):
        given["beneficiary"] = normalise_identifier(filters["beneficiary"])
    if filters.get("date"):
        start = datetime.combine(date.fromisoformat(filters["date"]), datetime.min.time(),
                                 clock.local_zone())
        given.update(submitted_from=start, submitted_until=start + timedelta(days=1))
    with ctx.reading() as uow:
        rows, next_cursor = uow.repo.requests_page(given, limit, cursor)
    now = ctx.clock()
    return {"items": [request_summary(r, now) for r in rows], "next_cursor": next_cursor}


def interactions(ctx: Context, caller: Mapping[str, Any], request_id: str) -> dict:
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        repo = uow.repo
        request = load_request(repo, who, request_id, AUTHORIZATIONS)
        rows = repo.interactions_of(request.id)
        files: dict[str | None, list[dict]] = {}
        for attachment in repo.attachments_of(request.id):
            files.setdefault(attachment["interaction_id"], []).append(attachment)
        names = repo.account_names(r["author_id"] for r in rows)
    items = []
    for row in rows:
        # files attached while drafting are shown with the submission
        own = files.get(row["id"], []) + (files.get(None, []) if row["kind"] == SUBMISSION
                                          else [])
        items.append(interaction_view(row, own, names))
    return {"items": items, "next_cursor": None}


# -- the provider side and the desk talk ----------------------------------------------------

def add_interaction(ctx: Context, caller: Mapping[str, Any], request_id: str, message: str,
                    kind: str = MESSAGE, attachment_ids: list[str] | None = None) -> dict:
    """A message or a document (an invoice, an exam) from either side (001, 003)."""
    who = identify(ctx, caller)
    with ctx.reading() as uow:  # may the caller write here? then claim the files
        load_request(uow.repo, who, request_id, AUTHORIZATIONS)
    files = claim_files(who, attachment_ids)
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = load_request(repo, who, request_id, AUTHORIZATIONS, lock=True)
        row = repo.add_interaction(request.id, new_id(), kind, who.account_id, side(who),
                                   message, now)
        repo.add_attachments(request.id, files, who.account_id, now, interaction_id=row["id"])
        uow.publish(events.interaction_added(request, row, repo.provider_name(request.provider_id),
                                             len(files)))
        return interaction_view(row, files, repo.account_names([who.account_id]))


def cancel(ctx: Context, caller: Mapping[str, Any], request_id: str, reason: str) -> dict:
    who = identify(ctx, caller)
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = load_request(repo, who, request_id, AUTHORIZATIONS, lock=True)
        require_provider_side(who, request.provider_id, AUTHORIZATIONS)
        was_in_audit = request.status == AWAITING_AUDIT
        request.cancel(reason, now)
        repo.save_request(request)
        repo.add_interaction(request.id, new_id(), CANCELLATION, who.account_id, side(who),
                             reason, now)
        uow.publish(events.request_cancelled(request, who.account_id,
                                             repo.provider_name(request.provider_id), reason,
                                             was_in_audit))
        return view(repo, request, now)


def appeal(ctx: Context, caller: Mapping[str, Any], request_id: str, justification: str,
           attachment_ids: list[str] | None = None) -> dict:
    """A denied plan goes back to audit with a justification (001), and the files that support
    it on the ``appeal`` interaction (claimed like documents sent later)."""
    who = identify(ctx, caller)
    with ctx.reading() as uow:  # may the caller appeal? then claim the files
        request = load_request(uow.repo, who, request_id, AUTHORIZATIONS)
        require_provider_side(who, request.provider_id, AUTHORIZATIONS)
        request.check_appealable()
    files = claim_files(who, attachment_ids)
    remember_author(ctx, who)
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = load_request(repo, who, request_id, AUTHORIZATIONS, lock=True)
        request.appeal(justification, now, calendar.next_business_day(now))
        repo.save_request(request)
        row = repo.add_interaction(request.id, new_id(), APPEAL, who.account_id, side(who),
                                   justification, now)
        repo.add_attachments(request.id, files, who.account_id, now, interaction_id=row["id"])
        uow.publish(events.request_appealed(request, who.account_id,
                                            repo.provider_name(request.provider_id),
                                            justification, len(files)))
        return view(repo, request, now)
