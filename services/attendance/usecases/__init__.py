"""What the attendance service does, step by step: load, apply the domain rules, save, record
events, answer a view — one module per part (catalogue, access, requests, ratings, agenda,
appointments, attachments). The nameko face (``service.py``) only forwards here, after asking
identity for the names and accounts a step needs, so these run in tests without a broker. This
module holds what they share: who the caller is, and how events name the people they concern.

Who is who, from this service's own data: an institution's *managers* are designated by the
admin (who may also act as any institution's manager); its *attendants* are the servants whose
attendant request a manager approved. Staff unrelated to an institution are refused (403) on the
institution's paths and told that its requests do not exist (404).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from ponte.clock import as_utc, iso, local_zone
from ponte.db import Transaction
from ponte.errors import Forbidden, NotFound
from ponte.roles import ADMIN
from services.attendance.domain.catalogue import Institution, Service
from services.attendance.domain.requests import ServiceRequest
from services.attendance.repository import Repository

HOLDER = "attendance"


@dataclass
class Attendance:
    """What the use cases need: the worker's database (``transaction()``, ``read()``), a clock
    and the meeting link's base URL."""

    db: Any
    clock: Callable[[], datetime]
    meeting_base_url: str


# -- who the caller is --------------------------------------------------------------------

def is_admin(caller: dict) -> bool:
    return caller.get("kind") == "staff" and ADMIN in (caller.get("roles") or [])


def institution_or_404(repo: Repository, institution_id: str) -> Institution:
    institution = repo.institution(institution_id)
    if institution is None:
        raise NotFound("No such institution.")
    return institution


def is_manager(repo: Repository, caller: dict, institution_id: str) -> bool:
    return caller.get("kind") == "staff" and (
        is_admin(caller) or repo.is_manager(institution_id, caller["account_id"]))


def is_attendant(repo: Repository, caller: dict, institution_id: str) -> bool:
    return caller.get("kind") == "staff" and repo.is_attendant(institution_id,
                                                               caller["account_id"])


def require_manager(repo: Repository, caller: dict, institution_id: str) -> Institution:
    institution = institution_or_404(repo, institution_id)
    if not is_manager(repo, caller, institution_id):
        raise Forbidden("Only this institution's managers may do this.")
    return institution


def require_attendant(repo: Repository, caller: dict, institution_id: str) -> None:
    if not is_attendant(repo, caller, institution_id):
        raise Forbidden("Only this institution's approved attendants may do this.")


def require_staff_member(repo: Repository, caller: dict, institution_id: str) -> Institution:
    """Attendants and managers of the institution."""
    institution = institution_or_404(repo, institution_id)
    if not (is_attendant(repo, caller, institution_id)
            or is_manager(repo, caller, institution_id)):
        raise Forbidden("Only this institution's attendants and managers may see this.")
    return institution


def visible_request(repo: Repository, caller: dict, request_id: str,
                    lock: bool = False) -> ServiceRequest:
    """The owner citizen, and the institution's attendants and managers, see a request; to
    anyone else it does not exist."""
    request = repo.request(request_id, lock=lock)
    if request is None:
        raise NotFound("No such service request.")
    if caller.get("kind") == "citizen" and request.citizen_id == caller["account_id"]:
        return request
    if is_attendant(repo, caller, request.institution_id) or \
            is_manager(repo, caller, request.institution_id):
        return request
    raise NotFound("No such service request.")


# -- events -------------------------------------------------------------------------------

def publish(tx: Transaction, event_type: str, data: dict[str, Any], accounts: list[str],
            provider: dict | None = None) -> None:
    """Every event names who it concerns (COMMON.md ``audience``), without the actor's repeats."""
    seen: list[str] = []
    for account in accounts:
        if account and account not in seen:
            seen.append(account)
    tx.publish(event_type, {**data, "audience": {"accounts": seen, "provider": provider,
                                                 "staff_roles": []}})


def request_event(repo: Repository, request: ServiceRequest, service: Service | None,
                  **extra: Any) -> dict[str, Any]:
    return request_event_of(request, service, repo.institution(request.institution_id),
                            repo.names(request_people(request)), **extra)


def request_people(request: ServiceRequest) -> list[str | None]:
    """Whose names a request's events and views show."""
    return [request.citizen_id, request.assigned_attendant_id]


def request_event_of(request: ServiceRequest, service: Service | None,
                     institution: Institution | None, names: dict[str, str],
                     **extra: Any) -> dict[str, Any]:
    """:func:`request_event` from what was read before (a submission reads it all before it
    takes its protocol)."""
    return {"service_request_id": request.id, "protocol": request.protocol,
            "status": request.status, "service_id": request.service_id,
            "service_name": service.name if service else None,
            "institution_id": request.institution_id,
            "institution_name": institution.name if institution else None,
            "citizen_id": request.citizen_id, "citizen_name": names.get(request.citizen_id),
            "assigned_attendant_id": request.assigned_attendant_id,
            "assigned_attendant_name": names.get(request.assigned_attendant_id or ""),
            "due_at": iso(request.due_at),
            "link": f"/api/v1/service-requests/{request.id}", **extra}


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day (operator's time zone) begins and ends."""
    start = datetime.combine(day, time(0), tzinfo=local_zone())
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone())
    return as_utc(start), as_utc(end)


def account_updated(att: Attendance, data: dict[str, Any]) -> None:
    """identity's ``account_updated``: the name and e-mail shown for someone who acted here."""
    with att.db.transaction() as tx:
        Repository(tx.session).rename_person(data["account_id"], data["name"],
                                             data.get("email"), att.clock())
