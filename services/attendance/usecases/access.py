"""Attendant access: servants ask, the institution's managers decide (002, "Perfil Atendente")."""
from __future__ import annotations

from ponte.db import conflict_on_duplicate
from ponte.errors import Forbidden, NotFound
from services.attendance import views
from services.attendance.domain.access import AttendantRequest, may_ask
from services.attendance.domain.catalogue import Institution
from services.attendance.repository import Repository
from services.attendance.usecases import (Attendance, institution_or_404, is_manager, publish,
                                          require_manager)


def ask_attendant_access(att: Attendance, caller: dict, institution_id: str,
                         message: str | None, servant: dict) -> dict:
    now = att.clock()
    duplicate = "You already have a pending or approved attendant request here."
    with conflict_on_duplicate(duplicate), att.db.transaction() as tx:
        repo = Repository(tx.session)
        institution = institution_or_404(repo, institution_id)
        repo.save_person(servant, now)
        may_ask(repo.attendant_requests_of(institution_id, caller["account_id"]))
        request = AttendantRequest(institution_id, caller["account_id"], now,
                                   (message or "").strip() or None)
        repo.add_attendant_request(request)
        publish(tx, "attendant_access_requested", _access_event(repo, request, institution),
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
        require_manager(repo, caller, institution_id)
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
        institution = institution_or_404(repo, request.institution_id)
        if not is_manager(repo, caller, request.institution_id):
            if caller["account_id"] == request.servant_id:
                raise Forbidden("Only this institution's managers decide attendant requests.")
            raise NotFound("No such attendant request.")
        if approve:
            request.approve(caller["account_id"], now)
        else:
            request.reject(caller["account_id"], reason, now)
        repo.save_attendant_request(request)
        publish(tx, f"attendant_access_{request.status}",
                _access_event(repo, request, institution), [request.servant_id])
        return views.attendant_request_view(
            request, repo.names([request.servant_id, request.decided_by]))
