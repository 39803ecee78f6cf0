"""The daily agenda of an institution, for colleagues without access (002)."""
from __future__ import annotations

from datetime import date

from ponte.clock import iso, local_today
from services.attendance.domain.requests import Meeting
from services.attendance.repository import Repository
from services.attendance.usecases import Attendance, local_day_bounds, require_staff_member


def agenda(att: Attendance, caller: dict, institution_id: str, day: date | None) -> dict:
    """The institution's meetings and booked appointments on a local day, by start, for
    colleagues without access (002)."""
    day = day or local_today(att.clock())
    start, end = local_day_bounds(day)
    with att.db.read() as session:
        repo = Repository(session)
        require_staff_member(repo, caller, institution_id)
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
