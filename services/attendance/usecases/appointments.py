"""Appointments at providers (003) and at institutions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ponte import attachments
from ponte.caller import Caller
from ponte.clock import parse_iso
from ponte.errors import NotFound
from ponte.service_layer import Context, UnitOfWork
from services.attendance import events, views
from services.attendance.domain.agenda import local_day_bounds
from services.attendance.domain.appointments import Appointment, require_complete_profile
from services.attendance.domain.checks import Found, every_error, refused
from services.attendance.domain.requests import require_future
from services.attendance.repository import Repository
from services.attendance.usecases.attachments import HOLDER
from services.attendance.usecases.people import caller_account
from services.attendance.usecases.who import (
    acts_for,
    institution_or_404,
    require_staff_member,
    visible_appointment,
)

Ctx = Context[Repository]


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


def _tell(uow: UnitOfWork[Repository], event_type: str, appointment: Appointment,
          provider_name: str | None, to_host: bool, **extra: Any) -> None:
    """Tell the citizen, or the side that receives the citizen: the provider (its logins and
    secretaries with ``authorizations``) or the institution's attendants and managers."""
    repo = uow.repo
    institution_id = appointment.institution_id
    institution = repo.institution(institution_id) if institution_id else None
    if not to_host:
        told = [appointment.citizen_id]
    elif institution_id and not appointment.provider_id:
        told = repo.attendants(institution_id) + repo.managers(institution_id)
    else:
        told = []
    uow.publish(events.appointment_event(
        event_type, appointment, provider_name, institution,
        repo.names([appointment.citizen_id]), told,
        provider_side=to_host and bool(appointment.provider_id), **extra))


def _book(ctx: Ctx, caller: Caller, starts_at: str, notes: str | None,
          attachment_ids: list[str], provider: dict | None = None,
          institution_id: str | None = None) -> dict:
    citizen = caller_account(ctx, caller)
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        if institution_id:
            institution_or_404(repo, institution_id)
        appointment, held = every_error(
            lambda: Appointment.book(provider["id"] if provider else None, caller.account_id,
                                     parse_iso(starts_at), notes, [], now,
                                     institution_id=institution_id),
            lambda: attachments.claim(attachment_ids, caller.account_id, HOLDER))
        appointment.attachments = held
        provider_name = provider.get("legal_name") if provider else None
        citizen.remember(repo, now)
        repo.add_appointment(appointment, provider_name)
        repo.hold_attachments(appointment.attachments, "appointment", appointment.id)
        _tell(uow, "appointment_booked", appointment, provider_name, to_host=True)
        return _appointment_answer(repo, appointment, provider_name)


def _refuse_form(ctx: Ctx, caller: Caller, starts_at: str | None,
                 attachment_ids: list[str] | None, form_errors: Found) -> None:
    """A body the edge refused is answered before anything is looked up or booked: the
    ``form_errors`` with the errors of the rules on the fields it kept, in one 422. A refused
    field is None here and its rules do not run."""
    if not form_errors:
        return
    now = ctx.clock()
    every_error(
        lambda: None if not starts_at else require_future(parse_iso(starts_at), now),
        lambda: None if refused(form_errors, "attachment_ids")
        else attachments.claim(attachment_ids or [], caller.account_id, HOLDER),
        found=form_errors)


def book_appointment(ctx: Ctx, caller: Caller, provider_id: str, starts_at: str | None,
                     notes: str | None, attachment_ids: list[str] | None,
                     form_errors: Found = None) -> dict:
    """At a provider, as identity knows it (404 when it does not), whose profile is complete
    (409 naming the missing fields in ``errors.profile``, seed 000 §3.2)."""
    _refuse_form(ctx, caller, starts_at, attachment_ids, form_errors)
    provider = ctx.rpc("identity", "get_provider", provider_id)
    require_complete_profile(ctx.rpc("identity", "get_missing_profile", provider_id))
    return _book(ctx, caller, starts_at, notes, attachment_ids, provider=provider)


def book_institution_appointment(ctx: Ctx, caller: Caller, institution_id: str,
                                 starts_at: str | None, notes: str | None,
                                 attachment_ids: list[str] | None,
                                 form_errors: Found = None) -> dict:
    """At an institution: it appears on the institution's agenda."""
    _refuse_form(ctx, caller, starts_at, attachment_ids, form_errors)
    return _book(ctx, caller, starts_at, notes, attachment_ids, institution_id=institution_id)


def _period(first_day: str | None, last_day: str | None) -> tuple[datetime | None,
                                                                  datetime | None]:
    """From the start of ``first_day`` to the end of ``last_day``, local dates (``YYYY-MM-DD``
    as the edge checked them, ``to`` not before ``from``), inclusive."""
    return (local_day_bounds(date.fromisoformat(first_day))[0] if first_day else None,
            local_day_bounds(date.fromisoformat(last_day))[1] if last_day else None)


def provider_appointments(ctx: Ctx, caller: Caller, provider_id: str, first_day: str | None,
                          last_day: str | None, limit: int, cursor: str | None) -> dict:
    if not acts_for(caller, provider_id):
        raise NotFound("No such provider.")
    start, end = _period(first_day, last_day)
    with ctx.reading() as uow:
        items, next_cursor = uow.repo.appointments_page(limit, cursor, provider_id=provider_id,
                                                        start=start, end=end)
        return _appointments_page(uow.repo, items, next_cursor)


def institution_appointments(ctx: Ctx, caller: Caller, institution_id: str,
                             first_day: str | None, last_day: str | None, limit: int,
                             cursor: str | None) -> dict:
    start, end = _period(first_day, last_day)
    with ctx.reading() as uow:
        require_staff_member(uow.repo, caller, institution_id)
        items, next_cursor = uow.repo.appointments_page(
            limit, cursor, institution_id=institution_id, start=start, end=end)
        return _appointments_page(uow.repo, items, next_cursor)


def my_appointments(ctx: Ctx, caller: Caller, limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        items, next_cursor = uow.repo.appointments_page(limit, cursor,
                                                        citizen_id=caller.account_id)
        return _appointments_page(uow.repo, items, next_cursor)


def get_appointment(ctx: Ctx, caller: Caller, appointment_id: str) -> dict:
    with ctx.reading() as uow:
        appointment, provider_name, _ = visible_appointment(uow.repo, caller, appointment_id)
        return _appointment_answer(uow.repo, appointment, provider_name)


def cancel_appointment(ctx: Ctx, caller: Caller, appointment_id: str) -> dict:
    """Either side cancels; the other side is told."""
    now = ctx.clock()
    with ctx.unit() as uow:
        appointment, provider_name, side = visible_appointment(uow.repo, caller, appointment_id,
                                                               lock=True)
        appointment.cancel(side, now)
        uow.repo.save_appointment(appointment)
        _tell(uow, "appointment_cancelled", appointment, provider_name,
              to_host=side == "citizen", cancelled_by=side)
        return _appointment_answer(uow.repo, appointment, provider_name)
