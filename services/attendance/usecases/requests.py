"""Citizens' service requests: submission with a protocol and a due time, the attendants'
queue, and the workflow from analysis to conclusion (002, "Atender Solicitações")."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ponte import attachments
from ponte.calendar import add_business_days
from ponte.clock import as_utc, iso, local_today
from ponte.db import Transaction
from ponte.errors import InvalidInput, NotFound
from ponte.idempotency import run_once
from ponte.numbering import next_number
from services.attendance import views
from services.attendance.domain.forms import validate_answers
from services.attendance.domain.requests import ServiceRequest, format_protocol
from services.attendance.repository import Repository
from services.attendance.usecases import (HOLDER, Attendance, publish, request_event,
                                          request_event_of, request_people, require_attendant,
                                          require_staff_member, visible_request)


PROTOCOL_SEQUENCE = "service_request_protocol"


# -- service requests ---------------------------------------------------------------------

def _request_answer(repo: Repository, request: ServiceRequest, now: datetime) -> dict:
    service = repo.service(request.service_id)
    names = repo.names(request_people(request))
    return views.service_request_view(request, service, names, now)


def submit_request(att: Attendance, caller: dict, service_id: str, answers: dict,
                   attachment_ids: list[str], citizen: dict,
                   idempotency: dict | None = None) -> dict:
    """A citizen's request for a published service: answers checked against its form, the
    uploads attached, a protocol (``YYYYMMDD`` + the day's 6-digit sequence) and a due time of
    the service's business days. A retry with the same Idempotency-Key answers the first.

    The protocol comes last: the day's sequence row stays locked until the transaction ends
    (``ponte.numbering``), so everything the event and the answer show is read before, and
    after the bump only the request and its event (one INSERT at the commit) are written."""
    def work(tx: Transaction) -> dict:
        now = att.clock()
        repo = Repository(tx.session)
        service = repo.service(service_id)
        if service is None or not service.is_published:
            raise NotFound("No such service.")
        clean = validate_answers(service.form, answers)
        held = attachments.claim(attachment_ids, caller["account_id"], HOLDER)
        repo.save_person(citizen, now)
        request = ServiceRequest.submit(service, caller["account_id"], clean, held, now,
                                        add_business_days(now, service.due_business_days))
        repo.hold_attachments(held, "service_request", request.id)
        institution = repo.institution(request.institution_id)
        names = repo.names(request_people(request))
        told = [request.citizen_id] + repo.attendants(request.institution_id)
        request.assign_protocol(take_protocol(tx, now))
        repo.add_request(request)
        publish(tx, "service_request_submitted",
                request_event_of(request, service, institution, names), told)
        return views.service_request_view(request, service, names, now)
    return run_once(att.db, idempotency, work)


def take_protocol(tx: Transaction, now: datetime) -> str:
    day = local_today(now).strftime("%Y%m%d")
    return format_protocol(day, next_number(tx.session, PROTOCOL_SEQUENCE, day))


def my_requests(att: Attendance, caller: dict, status: str | None, limit: int,
                cursor: str | None) -> dict:
    now = att.clock()
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.requests_page(limit, cursor, citizen_id=caller["account_id"],
                                                status=status)
        return _requests_page(repo, items, next_cursor, now)


def _requests_page(repo: Repository, items: list[ServiceRequest], next_cursor: str | None,
                   now: datetime) -> dict:
    services = repo.services_by_id(r.service_id for r in items)
    names = repo.names([r.citizen_id for r in items] + [r.assigned_attendant_id for r in items])
    return views.page([views.service_request_view(r, services.get(r.service_id), names, now)
                       for r in items], next_cursor)


def institution_requests(att: Attendance, caller: dict, institution_id: str,
                         status: str | None, limit: int, cursor: str | None) -> dict:
    """The attendants' queue: the most urgent due time first, overdue ones flagged."""
    now = att.clock()
    with att.db.read() as session:
        repo = Repository(session)
        require_staff_member(repo, caller, institution_id)
        items, next_cursor = repo.requests_page(limit, cursor, institution_id=institution_id,
                                                status=status)
        return _requests_page(repo, items, next_cursor, now)


def get_request(att: Attendance, caller: dict, request_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        return _request_answer(repo, visible_request(repo, caller, request_id), att.clock())


def _attendant_step(att: Attendance, caller: dict, request_id: str,
                    step: Callable[[Repository, Transaction, ServiceRequest, datetime], None]
                    ) -> dict:
    """Load a request the caller may see, require an approved attendant of its institution,
    apply ``step``, save, answer the whole request."""
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = visible_request(repo, caller, request_id, lock=True)
        require_attendant(repo, caller, request.institution_id)
        step(repo, tx, request, now)
        repo.save_request(request)
        return _request_answer(repo, request, now)


def start_analysis(att: Attendance, caller: dict, request_id: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        request.start_analysis(caller["account_id"], now)
    return _attendant_step(att, caller, request_id, step)


def approve_request(att: Attendance, caller: dict, request_id: str, attendant_id: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        if not repo.is_attendant(request.institution_id, attendant_id):
            raise InvalidInput("Assign an approved attendant of this institution.",
                               {"attendant_id": ["Not an approved attendant of this "
                                                 "institution."]})
        request.approve(caller["account_id"], attendant_id, now)
        publish(tx, "service_request_approved",
                request_event(repo, request, repo.service(request.service_id)),
                [request.citizen_id, attendant_id])
    return _attendant_step(att, caller, request_id, step)


def reject_request(att: Attendance, caller: dict, request_id: str, justification: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        request.reject(caller["account_id"], justification, now)
        publish(tx, "service_request_rejected",
                request_event(repo, request, repo.service(request.service_id),
                              justification=request.rejection_justification),
                [request.citizen_id])
    return _attendant_step(att, caller, request_id, step)


def conclude_request(att: Attendance, caller: dict, request_id: str, note: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        request.conclude(caller["account_id"], note, now)
        publish(tx, "service_request_concluded",
                request_event(repo, request, repo.service(request.service_id),
                              conclusion_note=request.conclusion_note),
                [request.citizen_id])
    return _attendant_step(att, caller, request_id, step)


def answer_checklist(att: Attendance, caller: dict, request_id: str,
                     answers: dict[str, bool]) -> list[dict]:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = visible_request(repo, caller, request_id, lock=True)
        request.answer_checklist(caller["account_id"], answers, now)
        repo.save_request(request)
        return views.checklist_view(request)


def add_follow_up(att: Attendance, caller: dict, request_id: str, message: str,
                  attachment_ids: list[str]) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = visible_request(repo, caller, request_id, lock=True)
        follow_up = request.follow_up(caller["account_id"], message, [], now)
        follow_up.attachments = attachments.claim(attachment_ids, caller["account_id"], HOLDER)
        repo.add_follow_up(follow_up)
        repo.hold_attachments(follow_up.attachments, "service_request", request.id)
        other = request.citizen_id if follow_up.side == "attendant" \
            else request.assigned_attendant_id
        publish(tx, "follow_up_added", request_event(
            repo, request, repo.service(request.service_id), follow_up_id=follow_up.id,
            author_side=follow_up.side, author_id=follow_up.author_id), [other])
        return views.follow_up_view(follow_up, repo.names([follow_up.author_id]))


def list_follow_ups(att: Attendance, caller: dict, request_id: str, limit: int,
                    cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        request = visible_request(repo, caller, request_id)
        items, next_cursor = repo.follow_ups_page(request.id, limit, cursor)
        names = repo.names(f.author_id for f in items)
        return views.page([views.follow_up_view(f, names) for f in items], next_cursor)


def schedule_meeting(att: Attendance, caller: dict, request_id: str, starts_at: datetime,
                     duration_minutes: int | None, subject: str) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = visible_request(repo, caller, request_id, lock=True)
        meeting = request.schedule_meeting(caller["account_id"], as_utc(starts_at),
                                           duration_minutes, subject, att.meeting_base_url, now)
        repo.add_meeting(meeting)
        publish(tx, "meeting_scheduled", request_event(
            repo, request, repo.service(request.service_id), meeting_id=meeting.id,
            starts_at=iso(meeting.starts_at), duration_minutes=meeting.duration_minutes,
            subject=meeting.subject, join_url=meeting.join_url), [request.citizen_id])
        return views.meeting_view(meeting)


def list_meetings(att: Attendance, caller: dict, request_id: str, limit: int,
                  cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        request = visible_request(repo, caller, request_id)
        items, next_cursor = repo.meetings_page(request.id, limit, cursor)
        return views.page([views.meeting_view(m) for m in items], next_cursor)


def flag_overdue(att: Attendance, batch: int = 200) -> int:
    """Tell once about each open request whose due time has passed."""
    flagged = 0
    while True:
        now = att.clock()
        with att.db.transaction() as tx:
            repo = Repository(tx.session)
            due = repo.newly_overdue(now, batch)
            for request in due:
                request.mark_overdue_notified(now)
                repo.save_request(request)
                who = [request.assigned_attendant_id] if request.assigned_attendant_id \
                    else repo.attendants(request.institution_id)
                publish(tx, "service_request_overdue",
                        request_event(repo, request, repo.service(request.service_id)),
                        who + repo.managers(request.institution_id))
        flagged += len(due)
        if len(due) < batch:
            return flagged
