"""What the attendance service does, step by step: load, apply the domain rules, save, record
events, answer a view. The nameko face (``service.py``) only forwards here, after asking identity
for the names and accounts a step needs, so these run in tests without a broker.

Who is who, from this service's own data: an institution's *managers* are designated by the
admin (who may also act as any institution's manager); its *attendants* are the servants whose
attendant request a manager approved. Staff unrelated to an institution are refused (403) on the
institution's paths and told that its requests do not exist (404).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from ponte import attachments
from ponte.calendar import add_business_days
from ponte.clock import iso, local_today, local_zone, as_utc
from ponte.db import Transaction, conflict_on_duplicate
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.idempotency import run_once
from ponte.numbering import next_number
from ponte.roles import ADMIN, AUTHORIZATIONS, MANAGER
from services.attendance import views
from services.attendance.domain.access import AttendantRequest, may_ask
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.domain.forms import validate_answers
from services.attendance.domain.requests import (Meeting, ServiceRequest, format_protocol)
from services.attendance.repository import Repository

HOLDER = "attendance"
PROTOCOL_SEQUENCE = "service_request_protocol"


@dataclass
class Attendance:
    """What the use cases need: the worker's database (``transaction()``, ``read()``), a clock
    and the meeting link's base URL."""

    db: Any
    clock: Callable[[], datetime]
    meeting_base_url: str


# -- who the caller is --------------------------------------------------------------------

def is_admin(caller: dict) -> bool:
    return caller.get("kind") == "staff" and ADMIN in (caller.get("roles") or [])


def _institution(repo: Repository, institution_id: str) -> Institution:
    institution = repo.institution(institution_id)
    if institution is None:
        raise NotFound("No such institution.")
    return institution


def _is_manager(repo: Repository, caller: dict, institution_id: str) -> bool:
    return caller.get("kind") == "staff" and (
        is_admin(caller) or repo.is_manager(institution_id, caller["account_id"]))


def _is_attendant(repo: Repository, caller: dict, institution_id: str) -> bool:
    return caller.get("kind") == "staff" and repo.is_attendant(institution_id,
                                                               caller["account_id"])


def _require_manager(repo: Repository, caller: dict, institution_id: str) -> Institution:
    institution = _institution(repo, institution_id)
    if not _is_manager(repo, caller, institution_id):
        raise Forbidden("Only this institution's managers may do this.")
    return institution


def _require_attendant(repo: Repository, caller: dict, institution_id: str) -> None:
    if not _is_attendant(repo, caller, institution_id):
        raise Forbidden("Only this institution's approved attendants may do this.")


def _require_staff_member(repo: Repository, caller: dict, institution_id: str) -> Institution:
    """Attendants and managers of the institution."""
    institution = _institution(repo, institution_id)
    if not (_is_attendant(repo, caller, institution_id)
            or _is_manager(repo, caller, institution_id)):
        raise Forbidden("Only this institution's attendants and managers may see this.")
    return institution


def _visible_request(repo: Repository, caller: dict, request_id: str,
                     lock: bool = False) -> ServiceRequest:
    """The owner citizen, and the institution's attendants and managers, see a request; to
    anyone else it does not exist."""
    request = repo.request(request_id, lock=lock)
    if request is None:
        raise NotFound("No such service request.")
    if caller.get("kind") == "citizen" and request.citizen_id == caller["account_id"]:
        return request
    if _is_attendant(repo, caller, request.institution_id) or \
            _is_manager(repo, caller, request.institution_id):
        return request
    raise NotFound("No such service request.")


# -- events -------------------------------------------------------------------------------

def _publish(tx: Transaction, event_type: str, data: dict[str, Any], accounts: list[str],
             provider: dict | None = None) -> None:
    """Every event names who it concerns (COMMON.md ``audience``), without the actor's repeats."""
    seen: list[str] = []
    for account in accounts:
        if account and account not in seen:
            seen.append(account)
    tx.publish(event_type, {**data, "audience": {"accounts": seen, "provider": provider,
                                                 "staff_roles": []}})


def _request_event(repo: Repository, request: ServiceRequest, service: Service | None,
                   **extra: Any) -> dict[str, Any]:
    institution = repo.institution(request.institution_id)
    names = repo.names([request.citizen_id, request.assigned_attendant_id])
    return {"service_request_id": request.id, "protocol": request.protocol,
            "status": request.status, "service_id": request.service_id,
            "service_name": service.name if service else None,
            "institution_id": request.institution_id,
            "institution_name": institution.name if institution else None,
            "citizen_id": request.citizen_id, "citizen_name": names.get(request.citizen_id),
            "assigned_attendant_id": request.assigned_attendant_id,
            "assigned_attendant_name": names.get(request.assigned_attendant_id or ""),
            "due_at": iso(request.due_at),
            "link": f"/api/v1/service-requests/{request.id}", **extra}


# -- institutions and managers ------------------------------------------------------------

def create_institution(att: Attendance, caller: dict, name: str, acronym: str) -> dict:
    institution = Institution(name.strip(), acronym.strip(), att.clock())
    with att.db.transaction() as tx:
        Repository(tx.session).add_institution(institution)
    return views.institution_view(institution, [], {})


def list_institutions(att: Attendance, limit: int, cursor: str | None) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        items, next_cursor = repo.institutions_page(limit, cursor)
        managers = {i.id: repo.managers(i.id) for i in items}
        names = repo.names(m for ms in managers.values() for m in ms)
        return views.page([views.institution_view(i, managers[i.id], names) for i in items],
                          next_cursor)


def designate_manager(att: Attendance, caller: dict, institution_id: str, account_id: str,
                      account: dict | None) -> dict:
    """``account`` is identity's record of ``account_id`` (None if unknown): it must be an
    active staff account holding the role ``manager`` (002: "servidor designado por portaria")."""
    now = att.clock()
    with conflict_on_duplicate("This account already manages this institution."), \
            att.db.transaction() as tx:
        repo = Repository(tx.session)
        institution = _institution(repo, institution_id)
        if account is None or account.get("kind") != "staff" \
                or account.get("status") != "active":
            raise InvalidInput("Designate an existing staff account.",
                               {"account_id": ["No such active staff account."]})
        if MANAGER not in (account.get("roles") or []):
            raise InvalidInput("A manager must hold the staff role manager.",
                               {"account_id": ["This staff account does not have the role "
                                               "manager."]})
        repo.save_person(account, now)
        if not repo.add_manager(institution_id, account_id, caller["account_id"], now):
            raise Conflict("This account already manages this institution.",
                           {"account_id": ["Already a manager of this institution."]})
        managers = repo.managers(institution_id)
        return views.institution_view(institution, managers, repo.names(managers))


# -- the service catalogue ----------------------------------------------------------------

def _service_answer(repo: Repository, service: Service) -> dict:
    return views.service_view(service, repo.institution(service.institution_id))


def create_service(att: Attendance, caller: dict, institution_id: str, data: dict) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        _require_manager(repo, caller, institution_id)
        service = Service.draft(institution_id, data, att.clock())
        repo.add_service(service)
        return _service_answer(repo, service)


def _managed_service(repo: Repository, caller: dict, service_id: str) -> Service:
    """A service its managers change; to other staff an unpublished one does not exist."""
    service = repo.service(service_id, lock=True)
    if service is None:
        raise NotFound("No such service.")
    if not _is_manager(repo, caller, service.institution_id):
        if service.is_published:
            raise Forbidden("Only this institution's managers may change its services.")
        raise NotFound("No such service.")
    return service


def update_service(att: Attendance, caller: dict, service_id: str, changes: dict) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        service = _managed_service(repo, caller, service_id)
        service.edit(changes, att.clock())
        repo.save_service(service)
        return _service_answer(repo, service)


def publish_service(att: Attendance, caller: dict, service_id: str, publish: bool) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        service = _managed_service(repo, caller, service_id)
        if publish:
            service.publish(att.clock())
        else:
            service.unpublish(att.clock())
        repo.save_service(service)
        if publish:
            institution = repo.institution(service.institution_id)
            _publish(tx, "service_published", {
                "service_id": service.id, "service_name": service.name,
                "institution_id": service.institution_id,
                "institution_name": institution.name if institution else None,
                "link": f"/api/v1/services/{service.id}"},
                repo.managers(service.institution_id) + repo.attendants(service.institution_id))
        return _service_answer(repo, service)


def list_services(att: Attendance, q: str | None, institution_id: str | None, limit: int,
                  cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.services_page(limit, cursor, q=(q or "").strip() or None,
                                                institution_id=institution_id)
        institutions = repo.institutions(s.institution_id for s in items)
        return views.page([views.service_view(s, institutions.get(s.institution_id))
                           for s in items], next_cursor)


def get_service(att: Attendance, caller: dict | None, service_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        service = repo.service(service_id)
        if service is None or not (service.is_published or (
                caller and _is_manager(repo, caller, service.institution_id))):
            raise NotFound("No such service.")
        return _service_answer(repo, service)


# -- attendant access ---------------------------------------------------------------------

def ask_attendant_access(att: Attendance, caller: dict, institution_id: str,
                         message: str | None, servant: dict) -> dict:
    now = att.clock()
    duplicate = "You already have a pending or approved attendant request here."
    with conflict_on_duplicate(duplicate), att.db.transaction() as tx:
        repo = Repository(tx.session)
        institution = _institution(repo, institution_id)
        repo.save_person(servant, now)
        may_ask(repo.attendant_requests_of(institution_id, caller["account_id"]))
        request = AttendantRequest(institution_id, caller["account_id"], now,
                                   (message or "").strip() or None)
        repo.add_attendant_request(request)
        _publish(tx, "attendant_access_requested", _access_event(repo, request, institution),
                 repo.managers(institution_id))
        return views.attendant_request_view(request, repo.names([request.servant_id]))


def _access_event(repo: Repository, request: AttendantRequest,
                  institution: Institution) -> dict:
    names = repo.names([request.servant_id])
    return {"attendant_request_id": request.id, "institution_id": institution.id,
            "institution_name": institution.name, "servant_id": request.servant_id,
            "servant_name": names.get(request.servant_id), "status": request.status,
            "reason": request.reason,
            "link": f"/api/v1/institutions/{institution.id}/attendant-requests"}


def list_attendant_requests(att: Attendance, caller: dict, institution_id: str,
                            status: str | None, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        _require_manager(repo, caller, institution_id)
        items, next_cursor = repo.attendant_requests_page(institution_id, status, limit, cursor)
        names = repo.names([i.servant_id for i in items] + [i.decided_by for i in items])
        return views.page([views.attendant_request_view(i, names) for i in items], next_cursor)


def decide_attendant_request(att: Attendance, caller: dict, request_id: str, approve: bool,
                             reason: str | None = None) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = repo.attendant_request(request_id, lock=True)
        if request is None:
            raise NotFound("No such attendant request.")
        institution = _institution(repo, request.institution_id)
        if not _is_manager(repo, caller, request.institution_id):
            if caller["account_id"] == request.servant_id:
                raise Forbidden("Only this institution's managers decide attendant requests.")
            raise NotFound("No such attendant request.")
        if approve:
            request.approve(caller["account_id"], now)
        else:
            request.reject(caller["account_id"], reason, now)
        repo.save_attendant_request(request)
        _publish(tx, f"attendant_access_{request.status}",
                 _access_event(repo, request, institution), [request.servant_id])
        return views.attendant_request_view(
            request, repo.names([request.servant_id, request.decided_by]))


# -- service requests ---------------------------------------------------------------------

def _request_answer(repo: Repository, request: ServiceRequest, now: datetime) -> dict:
    service = repo.service(request.service_id)
    names = repo.names([request.citizen_id, request.assigned_attendant_id])
    return views.service_request_view(request, service, names, now)


def submit_request(att: Attendance, caller: dict, service_id: str, answers: dict,
                   attachment_ids: list[str], citizen: dict,
                   idempotency: dict | None = None) -> dict:
    """A citizen's request for a published service: answers checked against its form, the
    uploads attached, a protocol (``YYYYMMDD`` + the day's 6-digit sequence) and a due time of
    the service's business days. A retry with the same Idempotency-Key answers the first."""
    def work(tx: Transaction) -> dict:
        now = att.clock()
        repo = Repository(tx.session)
        service = repo.service(service_id)
        if service is None or not service.is_published:
            raise NotFound("No such service.")
        clean = validate_answers(service.form, answers)
        held = attachments.claim(attachment_ids, caller["account_id"], HOLDER)
        repo.save_person(citizen, now)
        day = local_today(now)
        protocol = format_protocol(day.strftime("%Y%m%d"),
                                   next_number(tx.session, PROTOCOL_SEQUENCE,
                                               day.strftime("%Y%m%d")))
        request = ServiceRequest.submit(service, caller["account_id"], clean, held, protocol,
                                        now, add_business_days(now, service.due_business_days))
        repo.add_request(request)
        repo.hold_attachments(held, "service_request", request.id)
        _publish(tx, "service_request_submitted", _request_event(repo, request, service),
                 [request.citizen_id] + repo.attendants(request.institution_id))
        return _request_answer(repo, request, now)
    return run_once(att.db, idempotency, work)


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
        _require_staff_member(repo, caller, institution_id)
        items, next_cursor = repo.requests_page(limit, cursor, institution_id=institution_id,
                                                status=status)
        return _requests_page(repo, items, next_cursor, now)


def get_request(att: Attendance, caller: dict, request_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        return _request_answer(repo, _visible_request(repo, caller, request_id), att.clock())


def _attendant_step(att: Attendance, caller: dict, request_id: str,
                    step: Callable[[Repository, Transaction, ServiceRequest, datetime], None]
                    ) -> dict:
    """Load a request the caller may see, require an approved attendant of its institution,
    apply ``step``, save, answer the whole request."""
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = _visible_request(repo, caller, request_id, lock=True)
        _require_attendant(repo, caller, request.institution_id)
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
        _publish(tx, "service_request_approved",
                 _request_event(repo, request, repo.service(request.service_id)),
                 [request.citizen_id, attendant_id])
    return _attendant_step(att, caller, request_id, step)


def reject_request(att: Attendance, caller: dict, request_id: str, justification: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        request.reject(caller["account_id"], justification, now)
        _publish(tx, "service_request_rejected",
                 _request_event(repo, request, repo.service(request.service_id),
                                justification=request.rejection_justification),
                 [request.citizen_id])
    return _attendant_step(att, caller, request_id, step)


def conclude_request(att: Attendance, caller: dict, request_id: str, note: str) -> dict:
    def step(repo: Repository, tx: Transaction, request: ServiceRequest, now: datetime) -> None:
        request.conclude(caller["account_id"], note, now)
        _publish(tx, "service_request_concluded",
                 _request_event(repo, request, repo.service(request.service_id),
                                conclusion_note=request.conclusion_note),
                 [request.citizen_id])
    return _attendant_step(att, caller, request_id, step)


def answer_checklist(att: Attendance, caller: dict, request_id: str,
                     answers: dict[str, bool]) -> list[dict]:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = _visible_request(repo, caller, request_id, lock=True)
        request.answer_checklist(caller["account_id"], answers, now)
        repo.save_request(request)
        return views.checklist_view(request)


def add_follow_up(att: Attendance, caller: dict, request_id: str, message: str,
                  attachment_ids: list[str]) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = _visible_request(repo, caller, request_id, lock=True)
        follow_up = request.follow_up(caller["account_id"], message, [], now)
        follow_up.attachments = attachments.claim(attachment_ids, caller["account_id"], HOLDER)
        repo.add_follow_up(follow_up)
        repo.hold_attachments(follow_up.attachments, "service_request", request.id)
        other = request.citizen_id if follow_up.side == "attendant" \
            else request.assigned_attendant_id
        _publish(tx, "follow_up_added", _request_event(
            repo, request, repo.service(request.service_id), follow_up_id=follow_up.id,
            author_side=follow_up.side, author_id=follow_up.author_id), [other])
        return views.follow_up_view(follow_up, repo.names([follow_up.author_id]))


def list_follow_ups(att: Attendance, caller: dict, request_id: str, limit: int,
                    cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        request = _visible_request(repo, caller, request_id)
        items, next_cursor = repo.follow_ups_page(request.id, limit, cursor)
        names = repo.names(f.author_id for f in items)
        return views.page([views.follow_up_view(f, names) for f in items], next_cursor)


def schedule_meeting(att: Attendance, caller: dict, request_id: str, starts_at: datetime,
                     duration_minutes: int | None, subject: str) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = _visible_request(repo, caller, request_id, lock=True)
        meeting = request.schedule_meeting(caller["account_id"], as_utc(starts_at),
                                           duration_minutes, subject, att.meeting_base_url, now)
        repo.add_meeting(meeting)
        _publish(tx, "meeting_scheduled", _request_event(
            repo, request, repo.service(request.service_id), meeting_id=meeting.id,
            starts_at=iso(meeting.starts_at), duration_minutes=meeting.duration_minutes,
            subject=meeting.subject, join_url=meeting.join_url), [request.citizen_id])
        return views.meeting_view(meeting)


def list_meetings(att: Attendance, caller: dict, request_id: str, limit: int,
                  cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        request = _visible_request(repo, caller, request_id)
        items, next_cursor = repo.meetings_page(request.id, limit, cursor)
        return views.page([views.meeting_view(m) for m in items], next_cursor)


# -- ratings ------------------------------------------------------------------------------

def rate_request(att: Attendance, caller: dict, request_id: str, score: int,
                 comment: str | None) -> dict:
    now = att.clock()
    with conflict_on_duplicate("This request is already rated."), att.db.transaction() as tx:
        repo = Repository(tx.session)
        request = _visible_request(repo, caller, request_id, lock=True)
        rating = request.rate(caller["account_id"], score, comment,
                              repo.rating_of(request.id) is not None, now)
        repo.add_rating(rating)
        service = repo.service(request.service_id)
        _publish(tx, "rating_submitted", _request_event(
            repo, request, service, rating_id=rating.id, score=rating.score,
            ratings_link=f"/api/v1/institutions/{request.institution_id}/ratings"),
            [request.assigned_attendant_id] + repo.attendants(request.institution_id))
        return views.rating_view(rating)


def institution_ratings(att: Attendance, caller: dict, institution_id: str,
                        status: str | None, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        _institution(repo, institution_id)
        if not (_is_attendant(repo, caller, institution_id)
                or _is_manager(repo, caller, institution_id)):
            raise Forbidden("Only this institution's attendants see its ratings.")
        items, next_cursor = repo.ratings_page(limit, cursor, institution_id=institution_id,
                                               status=status)
        return views.page([views.rating_view(r) for r in items], next_cursor)


def moderate_rating(att: Attendance, caller: dict, rating_id: str, approved: bool,
                    reason: str | None) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        rating = repo.rating(rating_id, lock=True)
        if rating is None:
            raise NotFound("No such rating.")
        if not _is_attendant(repo, caller, rating.institution_id):
            if _is_manager(repo, caller, rating.institution_id):
                raise Forbidden("Ratings are moderated by the institution's attendants.")
            raise NotFound("No such rating.")
        rating.moderate(caller["account_id"], approved, reason, now)
        repo.save_rating(rating)
        request = repo.request(rating.request_id)
        _publish(tx, "rating_moderated", _request_event(
            repo, request, repo.service(rating.service_id), rating_id=rating.id,
            rating_status=rating.status,
            link=f"/api/v1/services/{rating.service_id}/ratings"), [rating.citizen_id])
        return views.rating_view(rating)


def service_ratings(att: Attendance, service_id: str, limit: int, cursor: str | None) -> dict:
    """Public: approved ratings only, with their average and count."""
    with att.db.read() as session:
        repo = Repository(session)
        service = repo.service(service_id)
        if service is None or not service.is_published:
            raise NotFound("No such service.")
        average, count = repo.rating_summary(service_id)
        items, next_cursor = repo.ratings_page(limit, cursor, service_id=service_id,
                                               status="approved")
        return {"average": round(average, 2) if average is not None else None, "count": count,
                "items": [views.public_rating_view(r) for r in items],
                "next_cursor": next_cursor}


# -- agenda -------------------------------------------------------------------------------

def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day (operator's time zone) begins and ends."""
    start = datetime.combine(day, time(0), tzinfo=local_zone())
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone())
    return as_utc(start), as_utc(end)


def agenda(att: Attendance, caller: dict, institution_id: str, day: date | None) -> dict:
    """The institution's meetings and booked appointments on a local day, by start, for
    colleagues without access (002)."""
    day = day or local_today(att.clock())
    start, end = local_day_bounds(day)
    with att.db.read() as session:
        repo = Repository(session)
        _require_staff_member(repo, caller, institution_id)
        meetings: list[Meeting] = repo.meetings_between(institution_id, start, end)
        requests = repo.requests_by_id(m.request_id for m in meetings)
        names = repo.names(r.citizen_id for r in requests.values())
        booked = repo.institution_appointments_between(institution_id, start, end)
        names.update(repo.names(a.citizen_id for a in booked))
        items = []
        for meeting in meetings:
            request = requests[meeting.request_id]
            items.append({"kind": "meeting", "starts_at": meeting.starts_at,
                          "ends_at": iso(meeting.ends_at), "subject": meeting.subject,
                          "protocol": request.protocol,
                          "citizen_name": names.get(request.citizen_id),
                          "service_request_id": request.id, "appointment_id": None,
                          "join_url": meeting.join_url})
        for appointment in booked:
            items.append({"kind": "appointment", "starts_at": appointment.starts_at,
                          "ends_at": None, "subject": appointment.notes or "Appointment",
                          "protocol": None, "citizen_name": names.get(appointment.citizen_id),
                          "service_request_id": None, "appointment_id": appointment.id,
                          "join_url": None})
        items.sort(key=lambda item: item["starts_at"])
        for item in items:
            item["starts_at"] = iso(item["starts_at"])
        return {"date": day.isoformat(), "institution_id": institution_id, "items": items}


# -- appointments at providers and institutions ---------------------------------------------

def _appointment_answer(repo: Repository, appointment: Appointment,
                        provider_name: str | None) -> dict:
    institution = repo.institution(appointment.institution_id) \
        if appointment.institution_id else None
    return views.appointment_view(appointment, provider_name,
                                  repo.names([appointment.citizen_id]), institution)


def _appointments_page(repo: Repository, items: list, next_cursor: str | None) -> dict:
    names = repo.names(a.citizen_id for a, _ in items)
    institutions = repo.institutions(a.institution_id for a, _ in items if a.institution_id)
    return views.page([views.appointment_view(a, name, names,
                                              institutions.get(a.institution_id or ""))
                       for a, name in items], next_cursor)


def _appointment_event(repo: Repository, appointment: Appointment,
                       provider_name: str | None, **extra: Any) -> dict:
    institution = repo.institution(appointment.institution_id) \
        if appointment.institution_id else None
    return {"appointment_id": appointment.id, "provider_id": appointment.provider_id,
            "provider_legal_name": provider_name,
            "institution_id": appointment.institution_id,
            "institution_name": institution.name if institution else None,
            "citizen_id": appointment.citizen_id,
            "citizen_name": repo.names([appointment.citizen_id]).get(appointment.citizen_id),
            "starts_at": iso(appointment.starts_at), "notes": appointment.notes,
            "status": appointment.status,
            "link": f"/api/v1/appointments/{appointment.id}", **extra}


def _publish_to_host(tx: Transaction, repo: Repository, event_type: str, data: dict,
                     appointment: Appointment) -> None:
    """Tell the side that receives the citizen: the provider (its logins and secretaries with
    ``authorizations``) or the institution's attendants and managers."""
    if appointment.provider_id:
        _publish(tx, event_type, data, [],
                 provider={"id": appointment.provider_id, "roles": [AUTHORIZATIONS]})
    else:
        institution_id = appointment.institution_id or ""
        _publish(tx, event_type, data,
                 repo.attendants(institution_id) + repo.managers(institution_id))


def _book(att: Attendance, caller: dict, starts_at: datetime, notes: str | None,
          attachment_ids: list[str], citizen: dict, provider: dict | None = None,
          institution_id: str | None = None) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        if institution_id:
            _institution(repo, institution_id)
        appointment = Appointment.book(provider["id"] if provider else None,
                                       caller["account_id"], as_utc(starts_at), notes, [], now,
                                       institution_id=institution_id)
        appointment.attachments = attachments.claim(attachment_ids, caller["account_id"],
                                                    HOLDER)
        provider_name = provider.get("legal_name") if provider else None
        repo.save_person(citizen, now)
        repo.add_appointment(appointment, provider_name)
        repo.hold_attachments(appointment.attachments, "appointment", appointment.id)
        _publish_to_host(tx, repo, "appointment_booked",
                         _appointment_event(repo, appointment, provider_name), appointment)
        return _appointment_answer(repo, appointment, provider_name)


def book_appointment(att: Attendance, caller: dict, provider: dict, starts_at: datetime,
                     notes: str | None, attachment_ids: list[str], citizen: dict) -> dict:
    """At a provider; ``provider`` is identity's view of it (the caller checked it exists)."""
    return _book(att, caller, starts_at, notes, attachment_ids, citizen, provider=provider)


def book_institution_appointment(att: Attendance, caller: dict, institution_id: str,
                                 starts_at: datetime, notes: str | None,
                                 attachment_ids: list[str], citizen: dict) -> dict:
    """At an institution: it appears on the institution's agenda."""
    return _book(att, caller, starts_at, notes, attachment_ids, citizen,
                 institution_id=institution_id)


def _acts_for(caller: dict, provider_id: str | None) -> bool:
    """The provider side with ``authorizations`` (``acting_for`` as the gateway gives it)."""
    return provider_id is not None and AUTHORIZATIONS in (
        (caller.get("acting_for") or {}).get(provider_id) or [])


def _period(first_day: date | None, last_day: date | None) -> tuple[datetime | None,
                                                                     datetime | None]:
    """From the start of ``first_day`` to the end of ``last_day``, local dates, inclusive."""
    if first_day and last_day and last_day < first_day:
        raise InvalidInput("to must not be before from.", {"to": ["Must not be before from."]})
    return (local_day_bounds(first_day)[0] if first_day else None,
            local_day_bounds(last_day)[1] if last_day else None)


def provider_appointments(att: Attendance, caller: dict, provider_id: str,
                          first_day: date | None, last_day: date | None, limit: int,
                          cursor: str | None) -> dict:
    if not _acts_for(caller, provider_id):
        raise NotFound("No such provider.")
    start, end = _period(first_day, last_day)
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.appointments_page(limit, cursor, provider_id=provider_id,
                                                    start=start, end=end)
        return _appointments_page(repo, items, next_cursor)


def institution_appointments(att: Attendance, caller: dict, institution_id: str,
                             first_day: date | None, last_day: date | None, limit: int,
                             cursor: str | None) -> dict:
    start, end = _period(first_day, last_day)
    with att.db.read() as session:
        repo = Repository(session)
        _require_staff_member(repo, caller, institution_id)
        items, next_cursor = repo.appointments_page(limit, cursor, institution_id=institution_id,
                                                    start=start, end=end)
        return _appointments_page(repo, items, next_cursor)


def my_appointments(att: Attendance, caller: dict, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.appointments_page(limit, cursor,
                                                    citizen_id=caller["account_id"])
        return _appointments_page(repo, items, next_cursor)


def _visible_appointment(repo: Repository, caller: dict, appointment_id: str,
                         lock: bool = False) -> tuple[Appointment, str | None, str]:
    """The appointment and the caller's side: its citizen, the provider side with
    ``authorizations``, or the institution's attendants and managers; to anyone else it does
    not exist."""
    found = repo.appointment(appointment_id, lock=lock)
    if found is None:
        raise NotFound("No such appointment.")
    appointment, provider_name = found
    if caller.get("kind") == "citizen" and caller["account_id"] == appointment.citizen_id:
        return appointment, provider_name, "citizen"
    if _acts_for(caller, appointment.provider_id):
        return appointment, provider_name, "provider"
    if appointment.institution_id and (
            _is_attendant(repo, caller, appointment.institution_id)
            or _is_manager(repo, caller, appointment.institution_id)):
        return appointment, provider_name, "institution"
    raise NotFound("No such appointment.")


def get_appointment(att: Attendance, caller: dict, appointment_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        appointment, provider_name, _ = _visible_appointment(repo, caller, appointment_id)
        return _appointment_answer(repo, appointment, provider_name)


def cancel_appointment(att: Attendance, caller: dict, appointment_id: str) -> dict:
    """Either side cancels; the other side is told."""
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        appointment, provider_name, side = _visible_appointment(repo, caller, appointment_id,
                                                                lock=True)
        appointment.cancel(side, now)
        repo.save_appointment(appointment)
        data = _appointment_event(repo, appointment, provider_name, cancelled_by=side)
        if side == "citizen":
            _publish_to_host(tx, repo, "appointment_cancelled", data, appointment)
        else:
            _publish(tx, "appointment_cancelled", data, [appointment.citizen_id])
        return _appointment_answer(repo, appointment, provider_name)


# -- attachments and due times ------------------------------------------------------------

def may_read_attachment(att: Attendance, caller: dict, attachment_id: str) -> bool:
    """Attachments of a service request (its follow-ups' too): the owner citizen and the
    institution's attendants and managers. Of an appointment: its citizen and the provider side
    with ``authorizations``."""
    with att.db.read() as session:
        repo = Repository(session)
        for holder, holder_id in repo.holders_of(attachment_id):
            try:
                if holder == "service_request":
                    _visible_request(repo, caller, holder_id)
                else:
                    _visible_appointment(repo, caller, holder_id)
                return True
            except NotFound:
                continue
    return False


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
                _publish(tx, "service_request_overdue",
                         _request_event(repo, request, repo.service(request.service_id)),
                         who + repo.managers(request.institution_id))
        flagged += len(due)
        if len(due) < batch:
            return flagged
