"""Citizens' service requests: submission with a protocol and a due time, the attendants'
queue, and the workflow from analysis to conclusion (002, "Atender Solicitações")."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ponte import attachments
from ponte.calendar import add_business_days
from ponte.caller import Caller
from ponte.clock import as_utc, local_today, parse_iso
from ponte.db import Transaction
from ponte.errors import InvalidInput, NotFound
from ponte.idempotency import run_once
from ponte.numbering import in_turn, next_number
from ponte.service_layer import Context, Event, UnitOfWork
from services.attendance import events, views
from services.attendance.domain.catalogue import required_text
from services.attendance.domain.checks import Found, every_error, refused
from services.attendance.domain.forms import validate_answers
from services.attendance.domain.requests import ServiceRequest, format_protocol, require_future
from services.attendance.events import request_people
from services.attendance.repository import Repository
from services.attendance.usecases.attachments import HOLDER
from services.attendance.usecases.people import Acting, acting_in, kept_caller
from services.attendance.usecases.who import (
    require_attendant,
    require_staff_member,
    visible_request,
)

Ctx = Context[Repository]
PROTOCOL_SEQUENCE = "service_request_protocol"


def request_event(repo: Repository, event_type: str, request: ServiceRequest,
                  told: Iterable[str | None], **extra: Any) -> Event:
    """An event about ``request``, with its service, institution and people read here."""
    return events.request_event(event_type, request, repo.service(request.service_id),
                                repo.institution(request.institution_id),
                                repo.names(request_people(request)), told, **extra)


def _request_answer(repo: Repository, request: ServiceRequest, now: datetime) -> dict:
    service = repo.service(request.service_id)
    names = repo.names(request_people(request))
    return views.service_request_view(request, service, names, now, repo.rating_of(request.id))


def submit_request(ctx: Ctx, caller: Caller, service_id: str, answers: dict | None,
                   attachment_ids: list[str] | None, idempotency: dict | None = None,
                   form_errors: Found = None) -> dict:
    """A citizen's request for a published service: answers checked against its form, the
    uploads attached, a protocol (``YYYYMMDD`` + the day's 6-digit sequence) and a due time of
    the service's business days. A retry with the same Idempotency-Key answers the first.

    The protocol comes last: the day's sequence row stays locked until the transaction ends
    (``ponte.numbering``), so everything the event and the answer show is read before, and
    after the bump only the request and its event (one INSERT at the commit) are written.
    ``form_errors``: what the edge refused (absent here), answered with the form's rules.

    Reads before the bump (issue 21: one round trip each): the caller as kept here, the
    service with its institution, the institution's attendants; the citizen's name is the
    caller's."""
    def work(tx: Transaction, acting: Acting | None) -> dict:
        now = ctx.clock()
        repo = ctx.repository(tx.session)
        uow = UnitOfWork(repo, tx.publish)
        citizen = acting or kept_caller(repo, caller)
        offered = repo.offered(service_id)
        if offered is None or not offered[0].is_published:
            raise NotFound("No such service.")
        service, institution = offered
        clean, held = every_error(
            lambda: None if refused(form_errors, "answers")
            else validate_answers(service.form, answers or {}),
            lambda: None if refused(form_errors, "attachment_ids")
            else attachments.claim(attachment_ids or [], caller.account_id, HOLDER),
            found=form_errors)
        citizen.remember(repo, now)
        request = ServiceRequest.submit(service, caller.account_id, clean, held, now,
                                        add_business_days(now, service.due_business_days))
        repo.hold_attachments(held, "service_request", request.id)
        names = {request.citizen_id: citizen.record["name"]}
        names.update(repo.names(p for p in request_people(request) if p not in names))
        told = [request.citizen_id] + repo.attendants(request.institution_id)
        request.assign_protocol(take_protocol(tx, now))
        repo.add_request(request)
        uow.publish(events.request_event("service_request_submitted", request, service,
                                         institution, names, told))
        return views.service_request_view(request, service, names, now)

    def submit(acting: Acting | None) -> dict:
        with in_turn(PROTOCOL_SEQUENCE):
            return run_once(ctx.db, idempotency, lambda tx: work(tx, acting))
    return acting_in(ctx, caller, submit)


def take_protocol(tx: Transaction, now: datetime) -> str:
    day = local_today(now).strftime("%Y%m%d")
    return format_protocol(day, next_number(tx.session, PROTOCOL_SEQUENCE, day))


def my_requests(ctx: Ctx, caller: Caller, status: str | None, limit: int,
                cursor: str | None) -> dict:
    now = ctx.clock()
    with ctx.reading() as uow:
        items, next_cursor = uow.repo.requests_page(limit, cursor, citizen_id=caller.account_id,
                                                    status=status)
        return _requests_page(uow.repo, items, next_cursor, now)


def _requests_page(repo: Repository, items: list[ServiceRequest], next_cursor: str | None,
                   now: datetime) -> dict:
    services = repo.services_by_id(r.service_id for r in items)
    names = repo.names([r.citizen_id for r in items] + [r.assigned_attendant_id for r in items])
    rated = repo.ratings_of(r.id for r in items)
    return views.page([views.service_request_view(r, services.get(r.service_id), names, now,
                                                  rated.get(r.id)) for r in items], next_cursor)


def institution_requests(ctx: Ctx, caller: Caller, institution_id: str, status: str | None,
                         limit: int, cursor: str | None) -> dict:
    """The attendants' queue: the most urgent due time first, overdue ones flagged."""
    now = ctx.clock()
    with ctx.reading() as uow:
        require_staff_member(uow.repo, caller, institution_id)
        items, next_cursor = uow.repo.requests_page(limit, cursor,
                                                    institution_id=institution_id,
                                                    status=status)
        return _requests_page(uow.repo, items, next_cursor, now)


def get_request(ctx: Ctx, caller: Caller, request_id: str) -> dict:
    with ctx.reading() as uow:
        request = visible_request(uow.repo, caller, request_id)
        return _request_answer(uow.repo, request, ctx.clock())


Step = Callable[[UnitOfWork[Repository], ServiceRequest, datetime], None]


def _attendant_step(ctx: Ctx, caller: Caller, request_id: str, step: Step) -> dict:
    """Load a request the caller may see, require an approved attendant of its institution,
    apply ``step``, save, answer the whole request."""
    now = ctx.clock()
    with ctx.unit() as uow:
        request = visible_request(uow.repo, caller, request_id, lock=True)
        require_attendant(uow.repo, caller, request.institution_id)
        step(uow, request, now)
        uow.repo.save_request(request)
        return _request_answer(uow.repo, request, now)


def start_analysis(ctx: Ctx, caller: Caller, request_id: str) -> dict:
    def step(uow: UnitOfWork[Repository], request: ServiceRequest, now: datetime) -> None:
        request.start_analysis(caller.account_id, now)
    return _attendant_step(ctx, caller, request_id, step)


def approve_request(ctx: Ctx, caller: Caller, request_id: str, attendant_id: str) -> dict:
    def step(uow: UnitOfWork[Repository], request: ServiceRequest, now: datetime) -> None:
        if not uow.repo.is_attendant(request.institution_id, attendant_id):
            raise InvalidInput("Assign an approved attendant of this institution.",
                               {"attendant_id": ["Not an approved attendant of this "
                                                 "institution."]})
        request.approve(caller.account_id, attendant_id, now)
        uow.publish(request_event(uow.repo, "service_request_approved", request,
                                  [request.citizen_id, attendant_id]))
    return _attendant_step(ctx, caller, request_id, step)


def reject_request(ctx: Ctx, caller: Caller, request_id: str, justification: str) -> dict:
    def step(uow: UnitOfWork[Repository], request: ServiceRequest, now: datetime) -> None:
        request.reject(caller.account_id, justification, now)
        uow.publish(request_event(uow.repo, "service_request_rejected", request,
                                  [request.citizen_id],
                                  justification=request.rejection_justification))
    return _attendant_step(ctx, caller, request_id, step)


def conclude_request(ctx: Ctx, caller: Caller, request_id: str, note: str) -> dict:
    def step(uow: UnitOfWork[Repository], request: ServiceRequest, now: datetime) -> None:
        request.conclude(caller.account_id, note, now)
        uow.publish(request_event(uow.repo, "service_request_concluded", request,
                                  [request.citizen_id],
                                  conclusion_note=request.conclusion_note))
    return _attendant_step(ctx, caller, request_id, step)


def answer_checklist(ctx: Ctx, caller: Caller, request_id: str, answers: dict[str, bool] | None,
                     form_errors: Found = None) -> list[dict]:
    """``form_errors``: the answers the edge refused, answered with the unknown steps."""
    now = ctx.clock()
    with ctx.unit() as uow:
        request = visible_request(uow.repo, caller, request_id, lock=True)
        request.answer_checklist(caller.account_id, answers or {}, now, found=form_errors)
        uow.repo.save_request(request)
        return views.checklist_view(request)


def add_follow_up(ctx: Ctx, caller: Caller, request_id: str, message: str,
                  attachment_ids: list[str]) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = visible_request(repo, caller, request_id, lock=True)
        follow_up = request.follow_up(caller.account_id, message, [], now)
        follow_up.attachments = attachments.claim(attachment_ids, caller.account_id, HOLDER)
        repo.add_follow_up(follow_up)
        repo.hold_attachments(follow_up.attachments, "service_request", request.id)
        other = request.citizen_id if follow_up.side == "attendant" \
            else request.assigned_attendant_id
        uow.publish(request_event(repo, "follow_up_added", request, [other],
                                  **events.follow_up_extra(follow_up)))
        return views.follow_up_view(follow_up, repo.names([follow_up.author_id]))


def list_follow_ups(ctx: Ctx, caller: Caller, request_id: str, limit: int,
                    cursor: str | None) -> dict:
    with ctx.reading() as uow:
        request = visible_request(uow.repo, caller, request_id)
        items, next_cursor = uow.repo.follow_ups_page(request.id, limit, cursor)
        names = uow.repo.names(f.author_id for f in items)
        return views.page([views.follow_up_view(f, names) for f in items], next_cursor)


def schedule_meeting(ctx: Ctx, caller: Caller, request_id: str, starts_at: str | None,
                     duration_minutes: int | None, subject: str | None,
                     form_errors: Found = None) -> dict:
    """``starts_at`` as the edge checked it: ISO-8601 with ``Z`` or an offset; a field the edge
    refused is None and named in ``form_errors``: then the rules on the fields it kept answer
    with them in one 422, before the request is looked up."""
    now = ctx.clock()
    if form_errors:
        every_error(
            lambda: None if refused(form_errors, "subject") else required_text(subject, "subject"),
            lambda: None if not starts_at else require_future(parse_iso(starts_at), now),
            found=form_errors)
    with ctx.unit() as uow:
        request = visible_request(uow.repo, caller, request_id, lock=True)
        meeting = request.schedule_meeting(caller.account_id, as_utc(parse_iso(starts_at)),
                                           duration_minutes, subject,
                                           ctx.settings["meeting_base_url"], now)
        uow.repo.add_meeting(meeting)
        uow.publish(request_event(uow.repo, "meeting_scheduled", request,
                                  [request.citizen_id], **events.meeting_extra(meeting)))
        return views.meeting_view(meeting)


def list_meetings(ctx: Ctx, caller: Caller, request_id: str, limit: int,
                  cursor: str | None) -> dict:
    with ctx.reading() as uow:
        request = visible_request(uow.repo, caller, request_id)
        items, next_cursor = uow.repo.meetings_page(request.id, limit, cursor)
        return views.page([views.meeting_view(m) for m in items], next_cursor)


def flag_overdue(ctx: Ctx, batch: int = 200) -> int:
    """Tell once about each open request whose due time has passed."""
    flagged = 0
    while True:
        now = ctx.clock()
        with ctx.unit() as uow:
            repo = uow.repo
            due = repo.newly_overdue(now, batch)
            for request in due:
                request.mark_overdue_notified(now)
                repo.save_request(request)
                who = [request.assigned_attendant_id] if request.assigned_attendant_id \
                    else repo.attendants(request.institution_id)
                uow.publish(request_event(repo, "service_request_overdue", request,
                                          who + repo.managers(request.institution_id)))
        flagged += len(due)
        if len(due) < batch:
            return flagged
