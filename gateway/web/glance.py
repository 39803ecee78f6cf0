"""A person's own work at a glance, for their home: the latest few of what each of their roles
works on, read through the API. Each ``_*`` reader returns one section (a heading, a link to the
whole list, rows); the home lists the sections this person has. Which sections a person has
follows what ``/me`` says (kind, staff roles, provider roles of the provider acted for); what is
in them, and whether it may be seen at all, is the API's answer."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from gateway.i18n import N_
from gateway.web.appointments import status_label as appointment_status_label
from gateway.web.authorizations import STATUS_LABELS
from gateway.web.billing import INQUIRY_STATUS_LABELS, SUBJECT_LABELS
from gateway.web.citizen_requests import status_label as request_status_label
from gateway.web.menu import Person
from gateway.web.screen import Screen
from ponte.roles import (
    AUDITOR,
    AUTHORIZATIONS,
    CITIZEN,
    MANAGER,
    OPERATOR,
    PROVIDER,
    SECRETARY,
    SERVANT,
    STAFF,
)

AT_A_GLANCE = 5  # rows of each section
INSTITUTIONS_SEEN = 50  # institutions looked at for a manager's or an attendant's own
SERVICE_STATUS_LABELS = {"draft": N_("Draft"), "published": N_("Published"),
                         "unpublished": N_("Unpublished")}
PANEL_REQUEST = "/institution/requests/{id}"  # the attendant's screen of a request
PANEL = "/institution/{id}/panel"  # an institution's queue

Section = dict[str, Any]


def _items(s: Screen, path: str, **query: Any) -> list[dict[str, Any]] | None:
    """The first rows of a list of the API, or None when the API does not show it to this
    person (the section is then left out)."""
    answer = s.api("GET", path, query={**query, "limit": query.get("limit", AT_A_GLANCE)})
    return answer.data["items"] if answer.ok and answer.data else None


def _row(text: str, href: str | None, status: str, status_label: str, *, note: str = "",
         when: str | None = None, overdue: bool = False) -> dict[str, Any]:
    return {"text": text, "href": href, "status": status, "status_label": status_label,
            "note": note, "when": when, "overdue": overdue}


def _authorization_rows(s: Screen, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_row(s._("Request %(number)s", number=r.get("number") or "—"),
                 f"/authorizations/{quote(r['id'], safe='')}", r["status"],
                 s._(STATUS_LABELS.get(r["status"], r["status"])), when=r.get("created_at"),
                 overdue=bool(r.get("overdue"))) for r in items]


def _provider_requests(s: Screen, person: Person) -> list[Section]:
    items = _items(s, "/api/v1/authorization-requests", provider_id=person.provider_id)
    if items is None:
        return []
    acting = person.acting
    title = (s._("Latest authorization requests of %(provider)s",
                 provider=acting["legal_name"]) if acting and person.kind == SECRETARY
             else s._("Latest authorization requests"))
    return [{"id": "authorization-requests", "title": title, "more": "/authorizations",
             "empty": s._("No authorization request yet."),
             "rows": _authorization_rows(s, items)}]


def _audit_queue(s: Screen, person: Person) -> list[Section]:
    items = _items(s, "/api/v1/audit-queue")
    if items is None:
        return []
    return [{"id": "audit-queue", "title": s._("Audit queue"), "more": "/audit-queue",
             "empty": s._("Nothing is waiting for audit."),
             "rows": _authorization_rows(s, items)}]


def _operator_work(s: Screen, person: Person) -> list[Section]:
    sections: list[Section] = []
    inquiries = _items(s, "/api/v1/inquiries")
    if inquiries is not None:
        sections.append({
            "id": "inquiries", "title": s._("Inquiries"), "more": "/inquiries",
            "empty": s._("No messages yet."),
            "rows": [_row(s._(SUBJECT_LABELS.get(q["subject"], q["subject"])),
                          f"/inquiries/{quote(q['id'], safe='')}", q["status"],
                          s._(INQUIRY_STATUS_LABELS.get(q["status"], q["status"])),
                          when=q["updated_at"])
                     for q in inquiries]})
    requests = _items(s, "/api/v1/authorization-requests")
    if requests is not None:
        sections.append({"id": "recent-requests", "title": s._("Recent authorization requests"),
                         "more": None, "empty": s._("No authorization request yet."),
                         "rows": _authorization_rows(s, requests)})
    return sections


def _citizen_work(s: Screen, person: Person) -> list[Section]:
    sections: list[Section] = []
    requests = _items(s, "/api/v1/me/service-requests")
    if requests is not None:
        sections.append({
            "id": "my-requests", "title": s._("My requests"), "more": "/my-requests",
            "empty": s._("You have not requested any service yet."),
            "rows": [_row(f"{r['protocol']} · {(r.get('service') or {}).get('name') or ''}",
                          f"/my-requests/{quote(r['id'], safe='')}", r["status"],
                          request_status_label(s, r["status"])) for r in requests]})
    appointments = _items(s, "/api/v1/me/appointments")
    if appointments is not None:
        sections.append({
            "id": "my-appointments", "title": s._("Appointments"), "more": "/my-appointments",
            "empty": s._("You have no appointment."),
            "rows": [_row((a.get("provider") or {}).get("legal_name")
                          or (a.get("institution") or {}).get("name") or "",
                          f"/appointments/{quote(a['id'], safe='')}", a["status"],
                          appointment_status_label(s, a["status"]), when=a["starts_at"])
                     for a in appointments]})
    return sections


def _institutions(s: Screen) -> list[dict[str, Any]]:
    return _items(s, "/api/v1/institutions", limit=INSTITUTIONS_SEEN) or []


def _managed(s: Screen, person: Person) -> list[Section]:
    sections = []
    for institution in _institutions(s):
        if not any(m and m.get("id") == person.account_id for m in institution["managers"]):
            continue
        services = _items(s, f"/api/v1/institutions/{quote(institution['id'], safe='')}"
                             "/services", limit=AT_A_GLANCE * 2)
        if services is not None:
            sections.append({
                "id": f"services-{institution['id']}",
                "title": s._("Services of %(institution)s", institution=institution["name"]),
                "more": None, "empty": s._("No service yet."),
                "rows": [_row(sv["name"], None, sv["status"],
                              s._(SERVICE_STATUS_LABELS.get(sv["status"], sv["status"])))
                         for sv in services]})
    return sections


def _queues(s: Screen, person: Person) -> list[Section]:
    """The queues of the institutions this servant attends: those whose queue the API shows
    her (a manager's own institutions are under their services); a row links to the
    attendant's screen of the request."""
    sections = []
    for institution in _institutions(s):
        if any(m and m.get("id") == person.account_id for m in institution["managers"]):
            continue
        queue = _items(s, f"/api/v1/institutions/{quote(institution['id'], safe='')}"
                          "/service-requests", limit=AT_A_GLANCE * 2)
        if queue is not None:
            sections.append({
                "id": f"queue-{institution['id']}",
                "title": s._("Queue of %(institution)s", institution=institution["name"]),
                "more": PANEL.format(id=quote(institution["id"], safe="")),
                "empty": s._("The queue is empty."),
                "rows": [_row(f"{r['protocol']} · {(r.get('service') or {}).get('name') or ''}",
                              PANEL_REQUEST.format(id=quote(r["id"], safe="")),
                              r["status"], request_status_label(s, r["status"]),
                              note=(r.get("citizen") or {}).get("name") or "",
                              overdue=bool(r.get("overdue"))) for r in queue]})
    return sections


Reader = Callable[[Screen, Person], list[Section]]


def _readers(person: Person) -> list[Reader]:
    if person.kind in (PROVIDER, SECRETARY):
        return [_provider_requests] if AUTHORIZATIONS in person.provider_roles else []
    if person.kind == CITIZEN:
        return [_citizen_work]
    if person.kind != STAFF:
        return []
    by_role: list[tuple[str, Reader]] = [(AUDITOR, _audit_queue), (OPERATOR, _operator_work),
                                         (MANAGER, _managed), (SERVANT, _queues)]
    return [reader for role, reader in by_role if role in person.roles]


def sections(s: Screen, person: Person) -> list[Section]:
    """The sections of ``person``'s home, in the order of their roles."""
    return [section for reader in _readers(person) for section in reader(s, person)]
