"""Every event the attendance service publishes (docs/events.md), built in one place. Each names
who it concerns (``audience``): accounts told directly, without repeats, or the provider side
holding ``authorizations``."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ponte.clock import iso
from ponte.contracts.attendance import PENDING
from ponte.contracts.audience import audience
from ponte.roles import AUTHORIZATIONS
from ponte.service_layer import Event
from services.attendance.domain.access import AttendantRequest
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.domain.requests import FollowUp, Meeting, Rating, ServiceRequest


def _accounts(accounts: Iterable[str | None]) -> dict[str, Any]:
    seen: list[str] = []
    for account in accounts:
        if account and account not in seen:
            seen.append(account)
    return audience(accounts=seen)


def service_published(service: Service, institution: Institution | None,
                      told: Iterable[str]) -> Event:
    """To the institution's managers and attendants."""
    return Event("service_published", {
        "service_id": service.id, "service_name": service.name,
        "institution_id": service.institution_id,
        "institution_name": institution.name if institution else None,
        "link": f"/api/v1/services/{service.id}", "audience": _accounts(told)})


def attendant_access(request: AttendantRequest, institution: Institution,
                     names: dict[str, str], told: Iterable[str]) -> Event:
    """``attendant_access_requested`` (to the managers), ``_approved`` or ``_rejected`` (to the
    servant), after the request's status."""
    kind = "requested" if request.status == PENDING else request.status
    return Event(f"attendant_access_{kind}", {
        "attendant_request_id": request.id, "institution_id": institution.id,
        "institution_name": institution.name, "servant_id": request.servant_id,
        "servant_name": names.get(request.servant_id), "status": request.status,
        "reason": request.reason,
        "link": f"/api/v1/institutions/{institution.id}/attendant-requests",
        "audience": _accounts(told)})


def request_people(request: ServiceRequest) -> list[str | None]:
    """Whose names a request's events and views show."""
    return [request.citizen_id, request.assigned_attendant_id]


def request_event(event_type: str, request: ServiceRequest, service: Service | None,
                  institution: Institution | None, names: dict[str, str],
                  told: Iterable[str | None], **extra: Any) -> Event:
    """An event about a service request: what it is, whose it is, and ``extra``."""
    return Event(event_type, {
        "service_request_id": request.id, "protocol": request.protocol,
        "status": request.status, "service_id": request.service_id,
        "service_name": service.name if service else None,
        "institution_id": request.institution_id,
        "institution_name": institution.name if institution else None,
        "citizen_id": request.citizen_id, "citizen_name": names.get(request.citizen_id),
        "assigned_attendant_id": request.assigned_attendant_id,
        "assigned_attendant_name": names.get(request.assigned_attendant_id or ""),
        "due_at": iso(request.due_at),
        "link": f"/api/v1/service-requests/{request.id}", **extra, "audience": _accounts(told)})


def follow_up_extra(follow_up: FollowUp) -> dict[str, Any]:
    return {"follow_up_id": follow_up.id, "author_side": follow_up.side,
            "author_id": follow_up.author_id}


def meeting_extra(meeting: Meeting) -> dict[str, Any]:
    return {"meeting_id": meeting.id, "starts_at": iso(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes, "subject": meeting.subject,
            "join_url": meeting.join_url}


def rating_submitted_extra(rating: Rating) -> dict[str, Any]:
    return {"rating_id": rating.id, "score": rating.score,
            "ratings_link": f"/api/v1/institutions/{rating.institution_id}/ratings"}


def rating_moderated_extra(rating: Rating) -> dict[str, Any]:
    return {"rating_id": rating.id, "rating_status": rating.status,
            "link": f"/api/v1/services/{rating.service_id}/ratings"}


def appointment_event(event_type: str, appointment: Appointment, provider_name: str | None,
                      institution: Institution | None, names: dict[str, str],
                      told: Iterable[str] = (), provider_side: bool = False,
                      **extra: Any) -> Event:
    """``appointment_booked`` or ``appointment_cancelled``, to the accounts ``told`` or, with
    ``provider_side``, to the provider's logins and secretaries holding ``authorizations``."""
    to = audience(provider_id=appointment.provider_id, roles=[AUTHORIZATIONS]) \
        if provider_side else _accounts(told)
    return Event(event_type, {
        "appointment_id": appointment.id, "provider_id": appointment.provider_id,
        "provider_legal_name": provider_name,
        "institution_id": appointment.institution_id,
        "institution_name": institution.name if institution else None,
        "citizen_id": appointment.citizen_id,
        "citizen_name": names.get(appointment.citizen_id),
        "starts_at": iso(appointment.starts_at), "notes": appointment.notes,
        "status": appointment.status,
        "link": f"/api/v1/appointments/{appointment.id}", **extra, "audience": to})
