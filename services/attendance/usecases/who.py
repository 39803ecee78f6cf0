"""Who is who at an institution, and who sees a request or an appointment; to anyone else they
do not exist (404)."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.errors import Forbidden, NotFound
from ponte.roles import AUTHORIZATIONS
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Institution
from services.attendance.domain.requests import ServiceRequest
from services.attendance.repository import Repository


def institution_or_404(repo: Repository, institution_id: str) -> Institution:
    institution = repo.institution(institution_id)
    if institution is None:
        raise NotFound("No such institution.")
    return institution


def is_manager(repo: Repository, caller: Caller, institution_id: str) -> bool:
    return caller.is_staff and (
        caller.is_admin or repo.is_manager(institution_id, caller.account_id))


def is_attendant(repo: Repository, caller: Caller, institution_id: str) -> bool:
    return caller.is_staff and repo.is_attendant(institution_id, caller.account_id)


def require_manager(repo: Repository, caller: Caller, institution_id: str) -> Institution:
    institution = institution_or_404(repo, institution_id)
    if not is_manager(repo, caller, institution_id):
        raise Forbidden("Only this institution's managers may do this.")
    return institution


def require_attendant(repo: Repository, caller: Caller, institution_id: str) -> None:
    if not is_attendant(repo, caller, institution_id):
        raise Forbidden("Only this institution's approved attendants may do this.")


def require_staff_member(repo: Repository, caller: Caller, institution_id: str) -> Institution:
    """Attendants and managers of the institution."""
    institution = institution_or_404(repo, institution_id)
    if not (is_attendant(repo, caller, institution_id)
            or is_manager(repo, caller, institution_id)):
        raise Forbidden("Only this institution's attendants and managers may see this.")
    return institution


def visible_request(repo: Repository, caller: Caller, request_id: str,
                    lock: bool = False) -> ServiceRequest:
    """The owner citizen, and the institution's attendants and managers, see a request."""
    request = repo.request(request_id, lock=lock)
    if request is None:
        raise NotFound("No such service request.")
    if caller.is_citizen and request.citizen_id == caller.account_id:
        return request
    if is_attendant(repo, caller, request.institution_id) or \
            is_manager(repo, caller, request.institution_id):
        return request
    raise NotFound("No such service request.")


def acts_for(caller: Caller, provider_id: str | None) -> bool:
    """The provider side with ``authorizations``."""
    return AUTHORIZATIONS in (caller.roles_for(provider_id) or ())


def visible_appointment(repo: Repository, caller: Caller, appointment_id: str,
                        lock: bool = False) -> tuple[Appointment, str | None, str]:
    """The appointment, its provider's name and the caller's side: its citizen, the provider
    side with ``authorizations``, or the institution's attendants and managers."""
    found = repo.appointment(appointment_id, lock=lock)
    if found is None:
        raise NotFound("No such appointment.")
    appointment, provider_name = found
    if caller.is_citizen and caller.account_id == appointment.citizen_id:
        return appointment, provider_name, "citizen"
    if acts_for(caller, appointment.provider_id):
        return appointment, provider_name, "provider"
    if appointment.institution_id and (
            is_attendant(repo, caller, appointment.institution_id)
            or is_manager(repo, caller, appointment.institution_id)):
        return appointment, provider_name, "institution"
    raise NotFound("No such appointment.")
