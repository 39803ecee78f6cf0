"""Who may read the files attendance holds (``may_read_attachment``)."""
from __future__ import annotations

from ponte.errors import NotFound
from services.attendance.repository import Repository
from services.attendance.usecases import Attendance, visible_request
from services.attendance.usecases.appointments import visible_appointment


def may_read_attachment(att: Attendance, caller: dict, attachment_id: str) -> bool:
    """Attachments of a service request (its follow-ups' too): the owner citizen and the
    institution's attendants and managers. Of an appointment: its citizen and the provider side
    with ``authorizations``."""
    with att.db.read() as session:
        repo = Repository(session)
        for holder, holder_id in repo.holders_of(attachment_id):
            try:
                if holder == "service_request":
                    visible_request(repo, caller, holder_id)
                else:
                    visible_appointment(repo, caller, holder_id)
                return True
            except NotFound:
                continue
    return False
