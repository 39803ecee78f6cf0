"""Attendant access: servants ask, the institution's managers decide (002, "Perfil Atendente")."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.db import conflict_on_duplicate
from ponte.errors import Forbidden, NotFound
from ponte.service_layer import Context
from services.attendance import events, views
from services.attendance.domain.access import AttendantRequest, may_ask
from services.attendance.repository import Repository
from services.attendance.usecases.people import caller_account
from services.attendance.usecases.who import institution_or_404, is_manager, require_manager

Ctx = Context[Repository]


def ask_attendant_access(ctx: Ctx, caller: Caller, institution_id: str,
                         message: str | None) -> dict:
    servant = caller_account(ctx, caller)
    now = ctx.clock()
    duplicate = "You already have a pending or approved attendant request here."
    with conflict_on_duplicate(duplicate), ctx.unit() as uow:
        repo = uow.repo
        institution = institution_or_404(repo, institution_id)
        servant.remember(repo, now)
        may_ask(repo.attendant_requests_of(institution_id, caller.account_id))
        request = AttendantRequest(institution_id, caller.account_id, now,
                                   (message or "").strip() or None)
        repo.add_attendant_request(request)
        names = repo.names([request.servant_id])
        uow.publish(events.attendant_access(request, institution, names,
                                            repo.managers(institution_id)))
        return views.attendant_request_view(request, names)


def list_attendant_requests(ctx: Ctx, caller: Caller, institution_id: str,
                            status: str | None, limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        repo = uow.repo
        require_manager(repo, caller, institution_id)
        items, next_cursor = repo.attendant_requests_page(institution_id, status, limit, cursor)
        names = repo.names([i.servant_id for i in items] + [i.decided_by for i in items])
        return views.page([views.attendant_request_view(i, names) for i in items], next_cursor)


def decide_attendant_request(ctx: Ctx, caller: Caller, request_id: str, approve: bool,
                             reason: str | None = None) -> dict:
    now = ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        request = repo.attendant_request(request_id, lock=True)
        if request is None:
            raise NotFound("No such attendant request.")
        institution = institution_or_404(repo, request.institution_id)
        if not is_manager(repo, caller, request.institution_id):
            if caller.account_id == request.servant_id:
                raise Forbidden("Only this institution's managers decide attendant requests.")
            raise NotFound("No such attendant request.")
        if approve:
            request.approve(caller.account_id, now)
        else:
            request.reject(caller.account_id, reason, now)
        repo.save_attendant_request(request)
        uow.publish(events.attendant_access(request, institution,
                                            repo.names([request.servant_id]),
                                            [request.servant_id]))
        return views.attendant_request_view(
            request, repo.names([request.servant_id, request.decided_by]))
