"""Plain-dict answers of the RPC methods, in the shapes of API.md "Attendance"."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ponte.clock import iso
from ponte.contracts.attendance import REJECTED
from services.attendance.domain.access import AttendantRequest
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.domain.requests import FollowUp, Meeting, Rating, ServiceRequest


def person(account_id: str | None, names: dict[str, str]) -> dict[str, Any] | None:
    if account_id is None:
        return None
    return {"id": account_id, "name": names.get(account_id)}


def institution_view(institution: Institution, managers: list[str],
                     names: dict[str, str]) -> dict[str, Any]:
    return {"id": institution.id, "name": institution.name, "acronym": institution.acronym,
            "managers": [person(m, names) for m in managers],
            "created_at": iso(institution.created_at)}


def institution_ref(institution: Institution | None) -> dict[str, Any] | None:
    if institution is None:
        return None
    return {"id": institution.id, "name": institution.name, "acronym": institution.acronym}


def service_view(service: Service, institution: Institution | None) -> dict[str, Any]:
    return {"id": service.id, "institution_id": service.institution_id,
            "institution": institution_ref(institution), "name": service.name,
            "description": service.description, "audience": service.audience,
            "requirements": list(service.requirements),
            "steps": [{"id": s.id, "title": s.title} for s in service.steps],
            "form_fields": [f.as_dict() for f in service.form],
            "due_business_days": service.due_business_days, "status": service.status,
            "created_at": iso(service.created_at), "updated_at": iso(service.updated_at),
            "published_at": iso(service.published_at)}


def attendant_request_view(request: AttendantRequest, names: dict[str, str]) -> dict[str, Any]:
    return {"id": request.id, "institution_id": request.institution_id,
            "servant": person(request.servant_id, names), "message": request.message,
            "status": request.status, "reason": request.reason,
            "created_at": iso(request.created_at), "decided_at": iso(request.decided_at),
            "decided_by": person(request.decided_by, names)}


def service_request_view(request: ServiceRequest, service: Service | None,
                         names: dict[str, str], now: datetime,
                         rating: Rating | None = None) -> dict[str, Any]:
    """For its citizen and the institution: ``rating`` is the comment as written, whatever its
    moderation."""
    return {"id": request.id, "protocol": request.protocol, "service_id": request.service_id,
            "service": {"id": request.service_id, "name": service.name if service else None},
            "institution_id": request.institution_id, "status": request.status,
            "citizen": person(request.citizen_id, names), "answers": dict(request.answers),
            "attachments": list(request.attachments),
            "assigned_attendant": person(request.assigned_attendant_id, names),
            "checklist": checklist_view(request),
            "rejection_justification": request.rejection_justification,
            "conclusion_note": request.conclusion_note, "created_at": iso(request.created_at),
            "decided_at": iso(request.decided_at), "concluded_at": iso(request.concluded_at),
            "due_at": iso(request.due_at), "overdue": request.is_overdue(now),
            "rating": {"score": rating.score, "comment": rating.comment, "status": rating.status}
            if rating else None}


def checklist_view(request: ServiceRequest) -> list[dict[str, Any]]:
    return [{"step_id": i["step_id"], "title": i["title"], "answer": i["answer"]}
            for i in request.checklist]


def follow_up_view(follow_up: FollowUp, names: dict[str, str]) -> dict[str, Any]:
    return {"id": follow_up.id, "request_id": follow_up.request_id,
            "author": {"id": follow_up.author_id, "name": names.get(follow_up.author_id),
                       "side": follow_up.side},
            "message": follow_up.message, "attachments": list(follow_up.attachments),
            "created_at": iso(follow_up.created_at)}


def meeting_view(meeting: Meeting) -> dict[str, Any]:
    return {"id": meeting.id, "request_id": meeting.request_id,
            "starts_at": iso(meeting.starts_at), "ends_at": iso(meeting.ends_at),
            "duration_minutes": meeting.duration_minutes, "subject": meeting.subject,
            "join_url": meeting.join_url, "created_at": iso(meeting.created_at)}


def rating_view(rating: Rating) -> dict[str, Any]:
    """For the institution's attendants' lists and the rating's own actions. A rejected comment
    is kept in the database for audit and not shown here; only the request it rates shows it, to
    its citizen and institution (:func:`service_request_view`)."""
    return {"id": rating.id, "request_id": rating.request_id, "service_id": rating.service_id,
            "institution_id": rating.institution_id, "score": rating.score,
            "comment": rating.comment if rating.status != REJECTED else None,
            "status": rating.status, "created_at": iso(rating.created_at),
            "moderated_at": iso(rating.moderated_at)}


def public_rating_view(rating: Rating) -> dict[str, Any]:
    return {"id": rating.id, "score": rating.score, "comment": rating.comment,
            "created_at": iso(rating.created_at)}


def appointment_view(appointment: Appointment, provider_name: str | None,
                     names: dict[str, str],
                     institution: Institution | None = None) -> dict[str, Any]:
    """At a provider (``provider`` set) or at an institution (``institution`` set)."""
    return {"id": appointment.id, "provider_id": appointment.provider_id,
            "provider": {"id": appointment.provider_id, "legal_name": provider_name}
            if appointment.provider_id else None,
            "institution_id": appointment.institution_id,
            "institution": institution_ref(institution),
            "citizen": person(appointment.citizen_id, names),
            "starts_at": iso(appointment.starts_at), "notes": appointment.notes,
            "attachments": list(appointment.attachments), "status": appointment.status,
            "created_at": iso(appointment.created_at),
            "cancelled_at": iso(appointment.cancelled_at),
            "cancelled_by": appointment.cancelled_by}


def page(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
