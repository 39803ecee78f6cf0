"""Who may read the files attendance holds (``may_read_attachment``)."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.errors import NotFound
from ponte.service_layer import Context
from services.attendance.repository import Repository
from services.attendance.usecases.who import visible_appointment, visible_request

HOLDER = "attendance"
"""The holder attendance claims uploads as (``ponte.attachments``)."""


def may_read_attachment(ctx: Context[Repository], caller: Caller, attachment_id: str) -> bool:
    """Attachments of a service request (its follow-ups' too): the owner citizen and the
    institution's attendants and managers. Of an appointment: its citizen and the provider side
    with ``authorizations``."""
    with ctx.reading() as uow:
        for holder, holder_id in uow.repo.holders_of(attachment_id):
            try:
                if holder == "service_request":
                    visible_request(uow.repo, caller, holder_id)
                else:
                    visible_appointment(uow.repo, caller, holder_id)
                return True
            except NotFound:
                continue
    return False
