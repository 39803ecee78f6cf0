"""The daily agenda of an institution, for colleagues without access (002)."""
from __future__ import annotations

from datetime import date

from ponte.caller import Caller
from ponte.clock import iso, local_today
from ponte.contracts.attendance import APPOINTMENT, MEETING
from ponte.service_layer import Context
from services.attendance.domain.agenda import local_day_bounds, local_time, time_zone
from services.attendance.repository import Repository
from services.attendance.usecases.who import require_staff_member


def agenda(ctx: Context[Repository], caller: Caller, institution_id: str,
           day: str | None) -> dict:
    """The institution's meetings and booked appointments on a local day (``YYYY-MM-DD`` as
    the edge checked it; default today), by start: each at its UTC instant and its local
    ``HH:MM``."""
    local_day = date.fromisoformat(day) if day else local_today(ctx.clock())
    start, end = local_day_bounds(local_day)
    with ctx.reading() as uow:
        repo = uow.repo
        require_staff_member(repo, caller, institution_id)
        meetings = repo.meetings_between(institution_id, start, end)
        requests = repo.requests_by_id(m.request_id for m in meetings)
        names = repo.names(r.citizen_id for r in requests.values())
        booked = repo.institution_appointments_between(institution_id, start, end)
        names.update(repo.names(a.citizen_id for a in booked))
        items = []
        for meeting in meetings:
            request = requests[meeting.request_id]
            items.append({"kind": MEETING, "starts_at": meeting.starts_at,
                          "ends_at": iso(meeting.ends_at), "subject": meeting.subject,
                          "protocol": request.protocol,
                          "citizen_name": names.get(request.citizen_id),
                          "service_request_id": request.id, "appointment_id": None,
                          "join_url": meeting.join_url})
        for appointment in booked:
            items.append({"kind": APPOINTMENT, "starts_at": appointment.starts_at,
                          "ends_at": None, "subject": appointment.notes or "Appointment",
                          "protocol": None, "citizen_name": names.get(appointment.citizen_id),
                          "service_request_id": None, "appointment_id": appointment.id,
                          "join_url": None})
        items.sort(key=lambda item: item["starts_at"])
        for item in items:
            item["local_time"] = local_time(item["starts_at"])
            item["starts_at"] = iso(item["starts_at"])
        return {"date": local_day.isoformat(), "time_zone": time_zone(),
                "institution_id": institution_id, "items": items}
