"""Institutions, their managers and the service catalogue (002, "Perfil Gestor")."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.contracts.attendance import SERVICE_STATUSES
from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.roles import MANAGER, STAFF
from ponte.service_layer import Context
from services.attendance import events, views
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.repository import Repository
from services.attendance.usecases.people import account
from services.attendance.usecases.who import institution_or_404, is_manager, require_manager

Ctx = Context[Repository]


def create_institution(ctx: Ctx, caller: Caller, name: str, acronym: str) -> dict:
    institution = Institution(name.strip(), acronym.strip(), ctx.clock())
    with ctx.unit() as uow:
        uow.repo.add_institution(institution)
    return views.institution_view(institution, [], {})


def list_institutions(ctx: Ctx, limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        repo = uow.repo
        items, next_cursor = repo.institutions_page(limit, cursor)
        managers = {i.id: repo.managers(i.id) for i in items}
        names = repo.names(m for ms in managers.values() for m in ms)
        return views.page([views.institution_view(i, managers[i.id], names) for i in items],
                          next_cursor)


def designate_manager(ctx: Ctx, caller: Caller, institution_id: str, account_id: str) -> dict:
    """The account must be an active staff account holding the role ``manager`` (002:
    "servidor designado por portaria"), as identity has it."""
    designated = account(ctx, account_id)
    now = ctx.clock()
    duplicate = "This account already manages this institution."
    with conflict_on_duplicate(duplicate), ctx.unit() as uow:
        repo = uow.repo
        institution = institution_or_404(repo, institution_id)
        if designated is None or designated.get("kind") != STAFF \
                or designated.get("status") != "active":
            raise InvalidInput("Designate an existing staff account.",
                               {"account_id": ["No such active staff account."]})
        if MANAGER not in (designated.get("roles") or []):
            raise InvalidInput("A manager must hold the staff role manager.",
                               {"account_id": ["This staff account does not have the role "
                                               "manager."]})
        repo.save_person(designated, now)
        if not repo.add_manager(institution_id, account_id, caller.account_id, now):
            raise Conflict(duplicate, {"account_id": ["Already a manager of this institution."]})
        managers = repo.managers(institution_id)
        return views.institution_view(institution, managers, repo.names(managers))


# -- the service catalogue ----------------------------------------------------------------

def _service_answer(repo: Repository, service: Service) -> dict:
    return views.service_view(service, repo.institution(service.institution_id))


def create_service(ctx: Ctx, caller: Caller, institution_id: str, data: dict) -> dict:
    with ctx.unit() as uow:
        require_manager(uow.repo, caller, institution_id)
        service = Service.draft(institution_id, data, ctx.clock())
        uow.repo.add_service(service)
        return _service_answer(uow.repo, service)


def _managed_service(repo: Repository, caller: Caller, service_id: str) -> Service:
    """A service its managers change; to other staff an unpublished one does not exist."""
    service = repo.service(service_id, lock=True)
    if service is None:
        raise NotFound("No such service.")
    if not is_manager(repo, caller, service.institution_id):
        if service.is_published:
            raise Forbidden("Only this institution's managers may change its services.")
        raise NotFound("No such service.")
    return service


def update_service(ctx: Ctx, caller: Caller, service_id: str, changes: dict) -> dict:
    with ctx.unit() as uow:
        service = _managed_service(uow.repo, caller, service_id)
        service.edit(changes, ctx.clock())
        uow.repo.save_service(service)
        return _service_answer(uow.repo, service)


def publish_service(ctx: Ctx, caller: Caller, service_id: str, make_public: bool) -> dict:
    with ctx.unit() as uow:
        repo = uow.repo
        service = _managed_service(repo, caller, service_id)
        if make_public:
            service.publish(ctx.clock())
        else:
            service.unpublish(ctx.clock())
        repo.save_service(service)
        if make_public:
            uow.publish(events.service_published(
                service, repo.institution(service.institution_id),
                repo.managers(service.institution_id) + repo.attendants(service.institution_id)))
        return _service_answer(repo, service)


def list_services(ctx: Ctx, q: str | None, institution_id: str | None, limit: int,
                  cursor: str | None) -> dict:
    with ctx.reading() as uow:
        items, next_cursor = uow.repo.services_page(limit, cursor, q=(q or "").strip() or None,
                                                    institution_id=institution_id)
        institutions = uow.repo.institutions(s.institution_id for s in items)
        return views.page([views.service_view(s, institutions.get(s.institution_id))
                           for s in items], next_cursor)


def institution_services(ctx: Ctx, caller: Caller, institution_id: str, status: str | None,
                         limit: int, cursor: str | None) -> dict:
    """Every service of the institution in every state (or in ``status``), by name, for its
    managers and the admin: a manager finds the drafts she wrote."""
    with ctx.reading() as uow:
        institution = require_manager(uow.repo, caller, institution_id)
        items, next_cursor = uow.repo.services_page(
            limit, cursor, institution_id=institution_id,
            statuses=(status,) if status else SERVICE_STATUSES)
        return views.page([views.service_view(s, institution) for s in items], next_cursor)


def get_service(ctx: Ctx, caller: Caller, service_id: str) -> dict:
    with ctx.reading() as uow:
        service = uow.repo.service(service_id)
        if service is None or not (service.is_published
                                   or is_manager(uow.repo, caller, service.institution_id)):
            raise NotFound("No such service.")
        return _service_answer(uow.repo, service)
