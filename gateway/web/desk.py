"""The attendant's desk (seed 002, §2-4): "Painel" (the institution's queue, overdue flagged,
filtered by status and service) and a request's page with each step its status allows:
"Iniciar análise", "Aprovar" (the attendant chosen, then "Sim, aprovar!"), "Reprovar"
(justification), the checklist, "Criar acompanhamento", "Videoconferência", "Concluir"."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

from gateway.i18n import N_, operator_zone
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.institution import (
    STAFF_SIDE,
    institution,
    landing,
    param,
    refused,
    unreadable,
    upload,
)
from gateway.web.screen import ApiFailure, Screen, screen
from ponte.contracts.attendance import (
    APPROVED,
    IN_ANALYSIS,
    IN_PROGRESS,
    REQUEST_STATUSES,
    SUBMITTED,
)
from ponte.roles import CITIZEN

DONE = {"analysis": N_("The analysis has started."), "approved": N_("The request was approved."),
        "rejected": N_("The request was rejected."), "checklist": N_("The steps were saved."),
        "follow_up": N_("The follow-up was sent."), "meeting": N_("The meeting was scheduled."),
        "concluded": N_("The request was concluded.")}
REQUEST_LABELS = {"submitted": N_("Submitted"), "in_analysis": N_("In analysis"),
                  "in_progress": N_("In progress"), "rejected": N_("Rejected"),
                  "concluded": N_("Concluded")}


@screen("GET", "/institution/panel", summary="Screen: the attendant's panel (menu)")
def panel_landing(s: Screen) -> Response:
    return landing(s, STAFF_SIDE, s._("Panel"), lambda iid: f"/institution/{iid}/panel")


@screen("GET", "/institution/{id}/panel", summary="Screen: an institution's queue")
def panel(s: Screen) -> Response:
    iid = param(s)
    status = s.request.args.get("status") or None
    service = s.request.args.get("service") or None
    answer = s.api("GET", f"/api/v1/institutions/{iid}/service-requests",
                   query={"status": status if status in REQUEST_STATUSES else None,
                          "limit": 100})
    if not answer.ok:
        return refused(s, answer)
    everything = answer.data["items"]
    services = sorted({(r["service_id"], (r.get("service") or {}).get("name") or "")
                       for r in everything}, key=lambda pair: pair[1])
    shown = [r for r in everything if not service or r["service_id"] == service]
    return s.render("institution_panel.html", institution=institution(s, iid), requests=shown,
                    shown=status, service=service, services=services,
                    request_labels=REQUEST_LABELS)


def _request(s: Screen, rid: str) -> dict[str, Any]:
    answer = s.api("GET", f"/api/v1/service-requests/{rid}")
    if not answer.ok:
        raise ApiFailure(unreadable(answer))
    return answer.data


def _is_attendant(s: Screen, iid: str) -> bool:
    """Only the institution's approved attendants read its ratings."""
    return s.api("GET", f"/api/v1/institutions/{iid}/ratings", query={"limit": 1}).ok


def _fields(s: Screen, request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form's fields by name, for their labels and types (the service may no longer be
    visible to the person: then the answers show under their names)."""
    answer = s.api("GET", f"/api/v1/services/{request['service_id']}")
    return {f["name"]: f for f in answer.data["form_fields"]} if answer.ok else {}


def offered(s: Screen, request: dict[str, Any]) -> dict[str, bool]:
    """The steps the request's status and the person allow (the API judges them anyway)."""
    status = request["status"]
    attendant = _is_attendant(s, request["institution_id"]) \
        if status in (SUBMITTED, IN_ANALYSIS) else False
    assigned = (request.get("assigned_attendant") or {}).get("id") == s.person().account_id
    working = status == IN_PROGRESS and assigned
    return {"start": attendant and status == SUBMITTED,
            "decide": attendant and status == IN_ANALYSIS,
            "checklist": working, "follow_up": working, "meeting": working,
            "conclude": working}


@screen("GET", "/institution/requests/{id}", summary="Screen: a service request (attendant)")
def request_page(s: Screen) -> Response:
    rid = param(s)
    if s.person().kind == CITIZEN:  # a notification's link: the citizen's own screen
        return s.redirect(f"/my-requests/{rid}")
    request = _request(s, rid)
    follow_ups = s.api("GET", f"/api/v1/service-requests/{rid}/follow-ups",
                       query={"limit": 100})
    meetings = s.api("GET", f"/api/v1/service-requests/{rid}/meetings", query={"limit": 100})
    done = s.request.args.get("done")
    return s.render("institution_request.html", request=request, fields=_fields(s, request),
                    follow_ups=follow_ups.data["items"] if follow_ups.ok else [],
                    meetings=meetings.data["items"] if meetings.ok else [],
                    can=offered(s, request), request_labels=REQUEST_LABELS,
                    done=s._(DONE[done]) if done in DONE else None)


def _after(s: Screen, rid: str, done: str) -> Response:
    return s.redirect(f"/institution/requests/{rid}?done={done}")


@screen("POST", "/institution/requests/{id}/start-analysis", summary="Screen: start analysis")
def start_analysis(s: Screen) -> Response:
    rid = param(s)
    answer = s.api("POST", f"/api/v1/service-requests/{rid}/start-analysis")
    return _after(s, rid, "analysis") if answer.ok else refused(s, answer)


# -- approve: choose the attendant, then "Sim, aprovar!" ------------------------------------

def attendants_of(s: Screen, request: dict[str, Any]) -> list[tuple[str, str]]:
    """Whom a request may be given to, as the API shows them to this person: herself, the
    attendants the queue names, and (to a manager) every approved attendant."""
    me = s.person()
    people = {me.account_id: me.name}
    iid = request["institution_id"]
    queue = s.api("GET", f"/api/v1/institutions/{iid}/service-requests", query={"limit": 100})
    for item in queue.data["items"] if queue.ok else []:
        if item.get("assigned_attendant"):
            people[item["assigned_attendant"]["id"]] = item["assigned_attendant"]["name"]
    approved = s.api("GET", f"/api/v1/institutions/{iid}/attendant-requests",
                     query={"status": APPROVED, "limit": 100})
    for item in approved.data["items"] if approved.ok else []:
        people[item["servant"]["id"]] = item["servant"]["name"]
    return sorted(people.items(), key=lambda pair: (pair[0] != me.account_id, pair[1] or ""))


def _approve_form(s: Screen, request: dict[str, Any], status: int = 200,
                  errors: dict | None = None, values: dict | None = None) -> Response:
    return s.render("institution_approve.html", status=status, request=request,
                    options=attendants_of(s, request), errors=errors or {},
                    values=values or {})


@screen("GET", "/institution/requests/{id}/approve", summary="Screen: approve a request")
def approve_form(s: Screen) -> Response:
    request = _request(s, param(s))
    if request["status"] != IN_ANALYSIS:
        return s.redirect(f"/institution/requests/{request['id']}")
    return _approve_form(s, request)


@screen("POST", "/institution/requests/{id}/approve", summary="Screen: confirm and approve")
def approve(s: Screen) -> Response:
    request = _request(s, param(s))
    chosen = s.form.get("attendant_id", "")
    options = dict(attendants_of(s, request))
    if not s.form.get("confirmed"):
        if chosen not in options:
            return _approve_form(s, request, 422,
                                 {"attendant_id": [s._("Choose the attendant.")]}, kept(s.form))
        return s.render("institution_approve_confirm.html", request=request,
                        attendant_id=chosen, attendant_name=options[chosen])
    answer = s.api("POST", f"/api/v1/service-requests/{request['id']}/approve",
                   {"attendant_id": chosen})
    if answer.ok:
        return _after(s, request["id"], "approved")
    if answer.status == 422:
        return _approve_form(s, request, 422, form_errors(answer, known={"attendant_id"}),
                             kept(s.form))
    return refused(s, answer)


# -- the forms of one text (and files) -------------------------------------------------------

FORMS = {
    "reject": {"field": "justification", "title": N_("Reject the request"),
               "label": N_("Justification"), "button": N_("Reject"), "done": "rejected"},
    "conclude": {"field": "note", "title": N_("Conclude the request"),
                 "label": N_("Conclusion note"), "button": N_("Conclude"), "done": "concluded"},
    "follow-ups": {"field": "message", "title": N_("Create follow-up"),
                   "label": N_("Message to the citizen"), "button": N_("Send"),
                   "done": "follow_up", "files": True},
}


def _text_form(s: Screen, kind: str, request: dict[str, Any], status: int = 200,
               errors: dict | None = None, values: dict | None = None) -> Response:
    return s.render("institution_text_form.html", status=status, kind=kind, form=FORMS[kind],
                    request=request, errors=errors or {}, values=values or {})


def _text_get(s: Screen, kind: str, allowed: tuple[str, ...]) -> Response:
    request = _request(s, param(s))
    if request["status"] not in allowed:
        return s.redirect(f"/institution/requests/{request['id']}")
    return _text_form(s, kind, request)


def _text_post(s: Screen, kind: str) -> Response:
    rid, form = param(s), FORMS[kind]
    field = form["field"]
    body: dict[str, Any] = {field: s.form.get(field, "")}
    if form.get("files"):
        ids, refused = upload(s)
        if refused:
            return _text_form(s, kind, _request(s, rid), 422, {"files": refused}, kept(s.form))
        body["attachment_ids"] = ids
    answer = s.api("POST", f"/api/v1/service-requests/{rid}/{kind}", body,
                   once=bool(form.get("files")))
    if answer.ok:
        return _after(s, rid, form["done"])
    if answer.status in FORM_ERROR_STATUSES:
        errors = form_errors(answer, fields={"attachment_ids": "files"},
                             known={field, "files"})
        return _text_form(s, kind, _request(s, rid), answer.status, errors, kept(s.form))
    return refused(s, answer)


@screen("GET", "/institution/requests/{id}/reject", summary="Screen: reject a request")
def reject_form(s: Screen) -> Response:
    return _text_get(s, "reject", (IN_ANALYSIS,))


@screen("POST", "/institution/requests/{id}/reject", summary="Screen: reject with justification")
def reject(s: Screen) -> Response:
    return _text_post(s, "reject")


@screen("GET", "/institution/requests/{id}/conclude", summary="Screen: conclude a request")
def conclude_form(s: Screen) -> Response:
    return _text_get(s, "conclude", (IN_PROGRESS,))


@screen("POST", "/institution/requests/{id}/conclude", summary="Screen: conclude with a note")
def conclude(s: Screen) -> Response:
    return _text_post(s, "conclude")


@screen("GET", "/institution/requests/{id}/follow-ups", summary="Screen: create a follow-up")
def follow_up_form(s: Screen) -> Response:
    return _text_get(s, "follow-ups", (IN_PROGRESS,))


@screen("POST", "/institution/requests/{id}/follow-ups", summary="Screen: send a follow-up")
def follow_up(s: Screen) -> Response:
    return _text_post(s, "follow-ups")


# -- the checklist ---------------------------------------------------------------------------

@screen("POST", "/institution/requests/{id}/checklist", summary="Screen: answer the checklist")
def checklist(s: Screen) -> Response:
    rid = param(s)
    answers = {key.removeprefix("step."): value == "yes" for key, value in s.form.items()
               if key.startswith("step.") and value in ("yes", "no")}
    answer = s.api("PUT", f"/api/v1/service-requests/{rid}/checklist", {"answers": answers})
    return _after(s, rid, "checklist") if answer.ok else refused(s, answer)


# -- a video meeting: local day and time → UTC -----------------------------------------------

def _meeting_form(s: Screen, request: dict[str, Any], status: int = 200,
                  errors: dict | None = None, values: dict | None = None) -> Response:
    return s.render("institution_meeting.html", status=status, request=request,
                    errors=errors or {}, values=values or {"duration_minutes": "30"},
                    zone=str(operator_zone()))


@screen("GET", "/institution/requests/{id}/meetings", summary="Screen: schedule a meeting")
def meeting_form(s: Screen) -> Response:
    request = _request(s, param(s))
    if request["status"] != IN_PROGRESS:
        return s.redirect(f"/institution/requests/{request['id']}")
    return _meeting_form(s, request)


def starts_at(day: str, time: str) -> str | None:
    """The local day and time typed, as a UTC instant (``None`` when not a real moment)."""
    try:
        local = datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=operator_zone())
    except ValueError:
        return None
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z")


@screen("POST", "/institution/requests/{id}/meetings", summary="Screen: schedule a meeting")
def meeting(s: Screen) -> Response:
    rid = param(s)
    day, time = s.form.get("date", "").strip(), s.form.get("time", "").strip()
    mine: dict[str, list[str]] = {}
    if not day:
        mine["date"] = [s._("Enter the day.")]
    if not time:
        mine["time"] = [s._("Enter the time.")]
    moment = starts_at(day, time) if not mine else None
    if not mine and moment is None:
        mine["date"] = [s._("Not a valid day and time.")]
    duration = s.form.get("duration_minutes", "").strip()
    body: dict[str, Any] = {"subject": s.form.get("subject", ""),
                            "duration_minutes": int(duration) if duration.isdigit()
                            else (duration or None)}
    if moment:
        body["starts_at"] = moment
    # without a moment the API still judges the rest (and refuses: nothing is scheduled)
    answer = s.api("POST", f"/api/v1/service-requests/{rid}/meetings", body, once=bool(moment))
    if answer.ok:
        return _after(s, rid, "meeting")
    if answer.status in FORM_ERROR_STATUSES:
        errors = form_errors(answer, fields={"starts_at": "date"},
                             known={"date", "time", "duration_minutes", "subject"})
        if mine:
            errors.pop("date", None)
            errors.update(mine)
        return _meeting_form(s, _request(s, rid), answer.status, errors, kept(s.form))
    return refused(s, answer)
