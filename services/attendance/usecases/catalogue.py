"""Institutions, their managers and the service catalogue (002, "Perfil Gestor")."""
from __future__ import annotations

from ponte.db import conflict_on_duplicate
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.roles import MANAGER
from services.attendance import views
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.repository import Repository
from services.attendance.usecases import (Attendance, institution_or_404, is_manager, publish,
                                          require_manager)


def create_institution(att: Attendance, caller: dict, name: str, acronym: str) -> dict:
    institution = Institution(name.strip(), acronym.strip(), att.clock())
    with att.db.transaction() as tx:
        Repository(tx.session).add_institution(institution)
    return views.institution_view(institution, [], {})


def list_institutions(att: Attendance, limit: int, cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.institutions_page(limit, cursor)
        managers = {i.id: repo.managers(i.id) for i in items}
        names = repo.names(m for ms in managers.values() for m in ms)
        return views.page([views.institution_view(i, managers[i.id], names) for i in items],
                          next_cursor)


def designate_manager(att: Attendance, caller: dict, institution_id: str, account_id: str,
                      account: dict | None) -> dict:
    """``account`` is identity's record of ``account_id`` (None if unknown): it must be an
    active staff account holding the role ``manager`` (002: "servidor designado por portaria")."""
    now = att.clock()
    with conflict_on_duplicate("This account already manages this institution."), \
            att.db.transaction() as tx:
        repo = Repository(tx.session)
        institution = institution_or_404(repo, institution_id)
        if account is None or account.get("kind") != "staff" \
                or account.get("status") != "active":
            raise InvalidInput("Designate an existing staff account.",
                               {"account_id": ["No such active staff account."]})
        if MANAGER not in (account.get("roles") or []):
            raise InvalidInput("A manager must hold the staff role manager.",
                               {"account_id": ["This staff account does not have the role "
                                               "manager."]})
        repo.save_person(account, now)
        if not repo.add_manager(institution_id, account_id, caller["account_id"], now):
            raise Conflict("This account already manages this institution.",
                           {"account_id": ["Already a manager of this institution."]})
        managers = repo.managers(institution_id)
        return views.institution_view(institution, managers, repo.names(managers))


# -- the service catalogue ----------------------------------------------------------------

def _service_answer(repo: Repository, service: Service) -> dict:
    return views.service_view(service, repo.institution(service.institution_id))


def create_service(att: Attendance, caller: dict, institution_id: str, data: dict) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        require_manager(repo, caller, institution_id)
        service = Service.draft(institution_id, data, att.clock())
        repo.add_service(service)
        return _service_answer(repo, service)


def _managed_service(repo: Repository, caller: dict, service_id: str) -> Service:
    """A service its managers change; to other staff an unpublished one does not exist."""
    service = repo.service(service_id, lock=True)
    if service is None:
        raise NotFound("No such service.")
    if not is_manager(repo, caller, service.institution_id):
        if service.is_published:
            raise Forbidden("Only this institution's managers may change its services.")
        raise NotFound("No such service.")
    return service


def update_service(att: Attendance, caller: dict, service_id: str, changes: dict) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        service = _managed_service(repo, caller, service_id)
        service.edit(changes, att.clock())
        repo.save_service(service)
        return _service_answer(repo, service)


def publish_service(att: Attendance, caller: dict, service_id: str, make_public: bool) -> dict:
    with att.db.transaction() as tx:
        repo = Repository(tx.session)
        service = _managed_service(repo, caller, service_id)
        if make_public:
            service.publish(att.clock())
        else:
            service.unpublish(att.clock())
        repo.save_service(service)
        if make_public:
            institution = repo.institution(service.institution_id)
            publish(tx, "service_published", {
                "service_id": service.id, "service_name": service.name,
                "institution_id": service.institution_id,
                "institution_name": institution.name if institution else None,
                "link": f"/api/v1/services/{service.id}"},
                repo.managers(service.institution_id) + repo.attendants(service.institution_id))
        return _service_answer(repo, service)


def list_services(att: Attendance, q: str | None, institution_id: str | None, limit: int,
                  cursor: str | None) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        items, next_cursor = repo.services_page(limit, cursor, q=(q or "").strip() or None,
                                                institution_id=institution_id)
        institutions = repo.institutions(s.institution_id for s in items)
        return views.page([views.service_view(s, institutions.get(s.institution_id))
                           for s in items], next_cursor)


def get_service(att: Attendance, caller: dict | None, service_id: str) -> dict:
    with att.db.read() as session:
        repo = Repository(session)
        service = repo.service(service_id)
        if service is None or not (service.is_published or (
                caller and is_manager(repo, caller, service.institution_id))):
            raise NotFound("No such service.")
        return _service_answer(repo, service)
