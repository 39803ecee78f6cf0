"""The manager's "Carta de serviços" (seed 002, Perfil Gestor): the institution's services in
every state, "Novo serviço" and editing (form fields and checklist steps added, moved and
removed by the form's own buttons, no script needed), "Publicar", "Despublicar"."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors
from gateway.web.institution import MANAGER_SIDE, institution, landing, param, refused
from gateway.web.screen import Screen, screen
from ponte.contracts.attendance import FIELD_TYPES

FIELD_TYPE_LABELS = {"text": N_("Text"), "number": N_("Number"), "date": N_("Date"),
                     "cpf": N_("CPF"), "email": N_("E-mail"), "choice": N_("Choice")}
STATUS_LABELS = {"draft": N_("Draft"), "published": N_("Live"),
                 "unpublished": N_("Unpublished")}
EDITS = re.compile(r"(add|up|remove)_(field|step)(?::(\d+))?\Z")


@screen("GET", "/institution/services", summary="Screen: the service charter (menu)")
def charter_landing(s: Screen) -> Response:
    return landing(s, MANAGER_SIDE, s._("Service charter"),
                   lambda iid: f"/institution/{iid}/services")


@screen("GET", "/institution/{id}/services", summary="Screen: an institution's service charter")
def charter(s: Screen) -> Response:
    iid = param(s)
    status = s.request.args.get("status") or None
    answer = s.api("GET", f"/api/v1/institutions/{iid}/services",
                   query={"status": status, "limit": 100,
                          "cursor": s.request.args.get("cursor")})
    if not answer.ok:
        return refused(s, answer)
    return s.render("institution_services.html", institution=institution(s, iid),
                    services=answer.data["items"], next_cursor=answer.data.get("next_cursor"),
                    shown=status, status_labels=STATUS_LABELS)


def blank_service() -> dict[str, Any]:
    return {"name": "", "description": "", "audience": "", "requirements": [],
            "due_business_days": 5, "steps": [{"id": "", "title": ""}],
            "form_fields": [{"name": "", "label": "", "type": "text", "required": False,
                             "choices": []}]}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _rows(form: Any, prefix: str) -> list[int]:
    found = {int(m.group(1)) for key in form.keys()
             if (m := re.match(rf"{prefix}\.(\d+)\.", key))}
    return sorted(found)


def from_form(form: Any) -> dict[str, Any]:
    """The service as the form holds it, in the API's shape (plus what is typed as is)."""
    fields = [{"name": form.get(f"form_fields.{n}.name", "").strip(),
               "label": form.get(f"form_fields.{n}.label", "").strip(),
               "type": form.get(f"form_fields.{n}.type", "text"),
               "required": bool(form.get(f"form_fields.{n}.required")),
               "choices": _lines(form.get(f"form_fields.{n}.choices", ""))}
              for n in _rows(form, "form_fields")]
    steps = [{"id": form.get(f"steps.{n}.id", ""), "title": form.get(f"steps.{n}.title", "")}
             for n in _rows(form, "steps")]
    return {"name": form.get("name", ""), "description": form.get("description", ""),
            "audience": form.get("audience", ""),
            "requirements": _lines(form.get("requirements", "")),
            "due_business_days": form.get("due_business_days", ""),
            "steps": steps, "form_fields": fields}


def machine_name(label: str, taken: set[str]) -> str:
    """A field's name, from its label (``Data de nascimento`` → ``data_de_nascimento``)."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:56] or "campo"
    if name[0].isdigit():
        name = f"f_{name}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def to_body(service: dict[str, Any]) -> dict[str, Any]:
    """The body of ``POST /institutions/{id}/services`` / ``PATCH /services/{id}``: blank
    rows left out, fields named from their labels, choices only on choice fields."""
    taken = {f["name"] for f in service["form_fields"] if f["name"]}
    fields = []
    for row in service["form_fields"]:
        if not (row["label"] or row["name"]):
            continue
        name = row["name"] or machine_name(row["label"], taken)
        taken.add(name)
        field = {"name": name, "label": row["label"], "type": row["type"],
                 "required": row["required"]}
        if row["type"] == "choice":
            field["choices"] = row["choices"]
        fields.append(field)
    steps = [{"id": step["id"], "title": step["title"]} if step["id"]
             else {"title": step["title"]} for step in service["steps"] if step["title"].strip()]
    days = service["due_business_days"]
    body = {"name": service["name"], "description": service["description"],
            "audience": service["audience"], "requirements": service["requirements"],
            "steps": steps, "form_fields": fields}
    body["due_business_days"] = int(days) if str(days).strip().isdigit() else days
    return body


def edit(service: dict[str, Any], action: str) -> None:
    """A form button that changes the rows: add, move up or remove a field or a step."""
    found = EDITS.match(action)
    if not found:
        return
    verb, kind, index = found.group(1), found.group(2), found.group(3)
    rows = service["form_fields" if kind == "field" else "steps"]
    blank = {"name": "", "label": "", "type": "text", "required": False, "choices": []} \
        if kind == "field" else {"id": "", "title": ""}
    if verb == "add":
        rows.append(blank)
        return
    n = int(index or -1)
    if not 0 <= n < len(rows):
        return
    if verb == "remove":
        rows.pop(n)
    elif n > 0:
        rows[n - 1], rows[n] = rows[n], rows[n - 1]


def positions(form_rows: list[dict[str, Any]], *keys: str) -> dict[int, int]:
    """API row index → form row index (blank form rows are not sent)."""
    sent = [n for n, row in enumerate(form_rows)
            if any(str(row.get(key) or "").strip() for key in keys)]
    return dict(enumerate(sent))


def errors_for(answer: Any, service: dict[str, Any]) -> dict[str, list[str]]:
    """The API's errors keyed by the form's fields (rows renumbered as the form shows them)."""
    fields = positions(service["form_fields"], "label", "name")
    steps = positions(service["steps"], "title")
    renamed: dict[str, str] = {}
    for key in answer.errors:
        parts = key.split(".")
        if len(parts) >= 2 and parts[1].isdigit() and parts[0] in ("form_fields", "steps"):
            table = fields if parts[0] == "form_fields" else steps
            n = table.get(int(parts[1]), int(parts[1]))
            leaf = parts[2] if len(parts) > 2 else ("label" if parts[0] == "form_fields"
                                                     else "title")
            if parts[0] == "form_fields" and leaf == "name":
                leaf = "label"
            renamed[key] = f"{parts[0]}.{n}.{leaf}"
    return form_errors(answer, fields=renamed)


def editor(s: Screen, service: dict[str, Any], iid: str, action: str, status: int = 200,
           errors: dict[str, list[str]] | None = None, service_id: str | None = None,
           state: str | None = None, saved: bool = False) -> Response:
    return s.render("institution_service_form.html", status=status, service=service,
                    errors=errors or {}, action=action, institution=institution(s, iid),
                    service_id=service_id, state=state, saved=saved,
                    type_options=[(t, s._(FIELD_TYPE_LABELS[t])) for t in FIELD_TYPES],
                    status_labels=STATUS_LABELS)


def _save(s: Screen, iid: str, service_id: str | None, state: str | None) -> Response:
    service = from_form(s.form)
    action = s.form.get("do", "save")
    here = f"/institution/services/{service_id}" if service_id \
        else f"/institution/{iid}/services/new"
    if action != "save":
        edit(service, action)
        return editor(s, service, iid, here, service_id=service_id, state=state)
    body = to_body(service)
    answer = s.api("PATCH", f"/api/v1/services/{service_id}", body) if service_id \
        else s.api("POST", f"/api/v1/institutions/{iid}/services", body, once=True)
    if answer.ok:
        return s.redirect(f"/institution/services/{answer.data['id']}?saved=1")
    if answer.status in FORM_ERROR_STATUSES:
        return editor(s, service, iid, here, status=answer.status,
                      errors=errors_for(answer, service), service_id=service_id, state=state)
    return refused(s, answer)


@screen("GET", "/institution/{id}/services/new", summary="Screen: a new service (manager)")
def new_service(s: Screen) -> Response:
    iid = param(s)
    return editor(s, blank_service(), iid, f"/institution/{iid}/services/new")


@screen("POST", "/institution/{id}/services/new", summary="Screen: draft a service (manager)")
def create_service(s: Screen) -> Response:
    return _save(s, param(s), None, None)


def _service(s: Screen, service_id: str) -> dict[str, Any] | Response:
    answer = s.api("GET", f"/api/v1/services/{service_id}")
    return answer.data if answer.ok else refused(s, answer)


@screen("GET", "/institution/services/{id}", summary="Screen: edit a service (manager)")
def service_page(s: Screen) -> Response:
    found = _service(s, param(s))
    if isinstance(found, Response):
        return found
    form = {**found, "form_fields": [{**f, "choices": f.get("choices") or []}
                                     for f in found["form_fields"]]}
    if not form["steps"]:
        form["steps"] = [{"id": "", "title": ""}]
    return editor(s, form, found["institution_id"], f"/institution/services/{found['id']}",
                  service_id=found["id"], state=found["status"],
                  saved=bool(s.request.args.get("saved")))


@screen("POST", "/institution/services/{id}", summary="Screen: save a service (manager)")
def update_service(s: Screen) -> Response:
    found = _service(s, param(s))
    if isinstance(found, Response):
        return found
    return _save(s, found["institution_id"], found["id"], found["status"])


def _switch(s: Screen, verb: str) -> Response:
    service_id = param(s)
    answer = s.api("POST", f"/api/v1/services/{service_id}/{verb}")
    if not answer.ok:
        return refused(s, answer)
    return s.redirect(f"/institution/{answer.data['institution_id']}/services")


@screen("POST", "/institution/services/{id}/publish", summary="Screen: publish a service")
def publish(s: Screen) -> Response:
    return _switch(s, "publish")


@screen("POST", "/institution/services/{id}/unpublish", summary="Screen: unpublish a service")
def unpublish(s: Screen) -> Response:
    return _switch(s, "unpublish")
