"""Appointments at providers (003) and at institutions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ponte import attachments
from ponte.clock import as_utc, iso
from ponte.db import Transaction
from ponte.errors import InvalidInput, NotFound
from ponte.roles import AUTHORIZATIONS
from services.attendance import views
from services.attendance.domain.appointments import Appointment
from services.attendance.repository import Repository
from services.attendance.usecases import (HOLDER, Attendance, institution_or_404, is_attendant,
                                          is_manager, local_day_bounds, publish,
                                          require_staff_member)


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
        publish(tx, event_type, data, [],
                provider={"id": appointment.provider_id, "roles": [AUTHORIZATIONS]})
    else:
        institution_id = appointment.institution_id or ""
        publish(tx, event_type, data,
                repo.attendants(institution_id) + repo.managers(institution_id))


def _book(att: Attendance, caller: dict, starts_at: datetime, notes: str | None,
          attachment_ids: list[str], citizen: dict, provider: dict | None = None,
          institution_id: str | None = None) -> dict:
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        if institution_id:
            institution_or_404(repo, institution_id)
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
        require_staff_member(repo, caller, institution_id)
        items, next_cursor = repo.appointments_page(limit, cursor, institution_id=institution_id,
                                                    start=start, end=end)
        return _appointments_page(repo, items, next_cursor)


def my_appointments(att: Attendance, caller: dict, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.appointments_page(limit, cursor,
                                                    citizen_id=caller["account_id"])
        return _appointments_page(repo, items, next_cursor)


def visible_appointment(repo: Repository, caller: dict, appointment_id: str,
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
            is_attendant(repo, caller, appointment.institution_id)
            or is_manager(repo, caller, appointment.institution_id)):
        return appointment, provider_name, "institution"
    raise NotFound("No such appointment.")


def get_appointment(att: Attendance, caller: dict, appointment_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        appointment, provider_name, _ = visible_appointment(repo, caller, appointment_id)
        return _appointment_answer(repo, appointment, provider_name)


def cancel_appointment(att: Attendance, caller: dict, appointment_id: str) -> dict:
    """Either side cancels; the other side is told."""
    now = att.clock()
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        appointment, provider_name, side = visible_appointment(repo, caller, appointment_id,
                                                               lock=True)
        appointment.cancel(side, now)
        repo.save_appointment(appointment)
        data = _appointment_event(repo, appointment, provider_name, cancelled_by=side)
        if side == "citizen":
            _publish_to_host(tx, repo, "appointment_cancelled", data, appointment)
        else:
            publish(tx, "appointment_cancelled", data, [appointment.citizen_id])
        return _appointment_answer(repo, appointment, provider_name)
