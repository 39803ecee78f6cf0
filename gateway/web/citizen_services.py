"""The public "Serviços" (seed 002, the citizen's side): the published services of every
institution with "Buscar", a service's page with "Solicitar", and the service's form, rendered
from its typed fields, whose "Enviar" gives the protocol."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.client import Answer
from gateway.web.files import CHOSEN, Uploads, upload_chosen
from gateway.web.forms import BODY, FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.roles import CITIZEN

IDEMPOTENCY_KEY = "Idempotency-Key"  # the API's error key for a form already sent
ANSWER = "answers.{}"  # a field's form name: the API's error key for it
# what each type of form field is in HTML: (input type, inputmode, autocomplete)
INPUTS = {"text": ("text", None, None), "number": ("text", "decimal", None),
          "date": ("date", None, None), "cpf": ("text", "numeric", "off"),
          "email": ("email", "email", "email")}
HINTS = {"cpf": N_("11 digits, with or without dots and dash."),
         "number": N_("Digits only; use a comma for decimals.")}


def one(answer: Answer) -> Answer:
    """The API's answer about one thing named in the address: an id it refuses to read (400,
    422) is a thing that does not exist, shown as the 404 page."""
    return Answer(404, None) if answer.status in (400, 422) else answer


def _service(s: Screen, service_id: str) -> Answer:
    return one(s.api("GET", f"/api/v1/services/{quote(service_id, safe='')}"))


@screen("GET", "/services", signed_in=False, summary="Screen: the published services (HTML)")
def services(s: Screen) -> Response:
    q = s.request.args.get("q", "").strip()
    answer = s.api("GET", "/api/v1/services", query={
        "q": q or None, "cursor": s.request.args.get("cursor"), "limit": 50})
    if answer.status == 422:  # a search the API refuses (too long): said beside the box
        return s.render("services.html", status=422, q=q, items=[], next_cursor=None,
                        errors=form_errors(answer, {"q": "q"}))
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("services.html", q=q, items=answer.data["items"],
                    next_cursor=answer.data.get("next_cursor"), errors={})


@screen("GET", "/services/{id}", signed_in=False, summary="Screen: a service's page (HTML)")
def service(s: Screen) -> Response:
    answer = _service(s, s.call.params["id"])
    if not answer.ok:
        return s.problem_page(answer)
    ratings = s.api("GET", f"/api/v1/services/{quote(answer.data['id'], safe='')}/ratings",
                    query={"limit": 20})
    citizen = s.session is None or s.person().kind == CITIZEN
    return s.render("service.html", service=answer.data,
                    ratings=ratings.data if ratings.ok else None, may_request=citizen)


def fields_of(s: Screen, service: dict[str, Any]) -> list[dict[str, Any]]:
    """The service's form fields as the template draws them: form name, HTML input, hint."""
    drawn = []
    for spec in service.get("form_fields") or []:
        kind, mode, autocomplete = INPUTS.get(spec["type"], ("text", None, None))
        general = HINTS.get(spec["type"])
        hint = spec.get("help") or (s._(general) if general else "")
        drawn.append({**spec, "form_name": ANSWER.format(spec["name"]), "input": kind,
                      "inputmode": mode, "autocomplete": autocomplete, "hint": hint})
    return drawn


def _form(s: Screen, service: dict[str, Any], *, errors: dict | None = None,
          values: dict | None = None, uploads: Uploads | None = None,
          status: int = 200) -> Response:
    fields = fields_of(s, service)
    labels = {f["form_name"]: f["label"] for f in fields}
    labels[CHOSEN] = s._("Files")
    return s.render("service_form.html", status=status, service=service, fields=fields,
                    labels=labels, errors=errors or {}, values=values or {},
                    files=uploads.files if uploads else [])


@screen("GET", "/services/{id}/request", summary="Screen: a service's form (HTML)")
def request_form(s: Screen) -> Response:
    answer = _service(s, s.call.params["id"])
    if not answer.ok:
        return s.problem_page(answer)
    if s.person().kind != CITIZEN:  # only citizens request services: not offered to others
        return s.problem_page(Answer(403, None))
    return _form(s, answer.data)


@screen("POST", "/services/{id}/request", summary="Screen: send a service's form")
def request_posted(s: Screen) -> Response:
    found = _service(s, s.call.params["id"])
    if not found.ok:
        return s.problem_page(found)
    service = found.data
    fields = fields_of(s, service)
    uploads = upload_chosen(s)
    if uploads.errors:  # nothing is sent with a file missing
        return _form(s, service, errors=uploads.errors, values=kept(s.form), uploads=uploads,
                     status=422)
    answers = {f["name"]: s.form.get(f["form_name"], "") for f in fields
               if s.form.get(f["form_name"], "").strip()}
    answer = s.api("POST", f"/api/v1/services/{quote(service['id'], safe='')}/requests",
                   {"answers": answers, "attachment_ids": uploads.ids}, once=True)
    if answer.status == 201:
        return s.redirect(f"/my-requests/{quote(answer.data['id'], safe='')}?sent=1")
    if answer.status == 409 and IDEMPOTENCY_KEY in answer.errors:
        # the same form sent again while its files went up anew: the first one was made
        return s.redirect("/my-requests")
    if answer.status in FORM_ERROR_STATUSES:
        known = {f["form_name"] for f in fields} | {CHOSEN, BODY}
        errors = form_errors(answer, {"attachment_ids": CHOSEN}, known=known)
        return _form(s, service, errors=errors, values=kept(s.form), uploads=uploads,
                     status=answer.status)
    return s.problem_page(answer)
