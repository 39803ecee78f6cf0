"""The operator's staff: "Prestadores" (the network with its filters, "Pré-cadastrar
prestador"), and the administrator's "Equipe" (staff accounts and roles) and "Instituições"
(institutions and their managers)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.client import Answer
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.render import PROVIDER_TYPE_LABELS
from gateway.web.screen import Screen, screen
from ponte.roles import ADMIN, OPERATOR, STAFF, STAFF_ROLES

PROVIDER_STATUS_LABELS = {"invited": N_("Pre-registered (invited)"), "active": N_("Active"),
                          "deleted": N_("Deleted")}
STAFF_ROLE_LABELS = {"admin": N_("Administrator"), "operator": N_("Operator"),
                     "auditor": N_("Auditor"), "manager": N_("Institution manager"),
                     "servant": N_("Public servant (attendant)")}
FILTERS = ("q", "provider_type", "city", "status")
SITES = 3  # site rows offered by "Pré-cadastrar prestador"


def _holds(s: Screen, role: str) -> bool:
    """Whether the person is staff with ``role`` (``admin`` holds every one): the screen is
    offered only then; the API still judges every request behind it."""
    person = s.person()
    return person.kind == STAFF and bool({role, ADMIN} & set(person.roles))


FORBIDDEN = Answer(403, None)


def _options(s: Screen, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, s._(label)) for key, label in labels.items()]


# "Prestadores"
def _providers_page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
                    created: dict | None = None, status: int = 200) -> Response:
    chosen = {name: s.request.args.get(name, "").strip() for name in FILTERS}
    answer = s.api("GET", "/api/v1/providers",
                   query={**{k: v or None for k, v in chosen.items()}, "limit": 100})
    list_errors: dict[str, list[str]] = {}
    items: list[dict] = []
    if answer.ok:
        items = answer.data["items"]
    elif answer.status in FORM_ERROR_STATUSES:
        list_errors = form_errors(answer, {"provider_type": "provider_type"}, set(FILTERS))
        status = max(status, answer.status)
    else:
        return s.problem_page(answer)
    return s.render("staff_providers.html", status=status, items=items, filters=chosen,
                    filter_errors=list_errors, errors=errors or {}, values=values or {},
                    created=created, sites=range(SITES),
                    type_options=_options(s, PROVIDER_TYPE_LABELS),
                    status_options=_options(s, PROVIDER_STATUS_LABELS),
                    status_labels={k: s._(v) for k, v in PROVIDER_STATUS_LABELS.items()})


@screen("GET", "/operator/providers", summary="Screen: Prestadores, the network (operator)")
def providers(s: Screen) -> Response:
    if not _holds(s, OPERATOR):
        return s.problem_page(FORBIDDEN)
    return _providers_page(s)


@screen("POST", "/operator/providers", summary="Screen: Pré-cadastrar prestador (operator)")
def preregister(s: Screen) -> Response:
    form = s.form
    sites = [{"name": form.get(f"sites.{n}.name", "").strip(),
              "email": form.get(f"sites.{n}.email", "").strip()} for n in range(SITES)]
    body: dict[str, Any] = {"document": form.get("document", "").strip(),
                            "legal_name": form.get("legal_name", "").strip(),
                            "email": form.get("email", "").strip(),
                            "secondary_email": form.get("secondary_email", "").strip() or None}
    named = [site for site in sites if site["name"] or site["email"]]
    if named:
        body["sites"] = named
    answer = s.api("POST", "/api/v1/providers", body, once=True)
    if answer.ok:
        return _providers_page(s, created=answer.data, status=201)
    if answer.status in FORM_ERROR_STATUSES:
        known = {"document", "legal_name", "email", "secondary_email",
                 *(f"sites.{n}.{part}" for n in range(SITES) for part in ("name", "email"))}
        return _providers_page(s, errors=form_errors(answer, known=known), values=kept(form),
                               status=answer.status)
    return s.problem_page(answer)


# "Equipe"
def _team_page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
               created: dict | None = None, status: int = 200) -> Response:
    return s.render("staff_team.html", status=status, errors=errors or {},
                    values=values or {}, created=created,
                    chosen_roles=(values or {}).get("roles", ()),
                    role_options=_options(s, STAFF_ROLE_LABELS),
                    role_labels={k: s._(v) for k, v in STAFF_ROLE_LABELS.items()})


@screen("GET", "/admin/team", summary="Screen: Equipe, staff accounts and roles (admin)")
def team(s: Screen) -> Response:
    if not _holds(s, ADMIN):
        return s.problem_page(FORBIDDEN)
    return _team_page(s)


@screen("POST", "/admin/team", summary="Screen: create a staff account (admin)")
def team_posted(s: Screen) -> Response:
    roles = [role for role in s.form.getlist("roles") if role in STAFF_ROLES] or \
        s.form.getlist("roles")
    body = {"email": s.form.get("email", "").strip(), "name": s.form.get("name", "").strip(),
            "roles": roles}
    answer = s.api("POST", "/api/v1/staff", body, once=True)
    if answer.ok:
        return _team_page(s, created=answer.data, status=201)
    if answer.status in FORM_ERROR_STATUSES:
        fields = {key: "roles" for key in answer.errors if key.startswith("roles")}
        return _team_page(s, errors=form_errors(answer, fields, {"email", "name", "roles"}),
                          values={**kept(s.form), "roles": roles}, status=answer.status)
    return s.problem_page(answer)


# "Instituições"
def _institutions_page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
                       done: str = "", status: int = 200) -> Response:
    answer = s.api("GET", "/api/v1/institutions", query={"limit": 200})
    if not answer.ok:
        return s.problem_page(answer)
    return s.render("staff_institutions.html", status=status, items=answer.data["items"],
                    errors=errors or {}, values=values or {}, done=done)


@screen("GET", "/admin/institutions", summary="Screen: Instituições (admin)")
def institutions(s: Screen) -> Response:
    if not _holds(s, ADMIN):
        return s.problem_page(FORBIDDEN)
    return _institutions_page(s, done=s.request.args.get("done", ""))


@screen("POST", "/admin/institutions", summary="Screen: create an institution (admin)")
def institution_posted(s: Screen) -> Response:
    answer = s.api("POST", "/api/v1/institutions",
                   {"name": s.form.get("name", "").strip(),
                    "acronym": s.form.get("acronym", "").strip()}, once=True)
    if answer.ok:
        return s.redirect("/admin/institutions?done=institution")
    if answer.status in FORM_ERROR_STATUSES:
        return _institutions_page(s, errors=form_errors(answer, known={"name", "acronym"}),
                                  values=kept(s.form), status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/admin/institutions/{id}/managers",
        summary="Screen: add a manager to an institution (admin)")
def manager_posted(s: Screen) -> Response:
    institution_id = s.call.params["id"]
    field = f"account_id-{institution_id}"
    answer = s.api("POST", f"/api/v1/institutions/{quote(institution_id, safe='')}/managers",
                   {"account_id": s.form.get("account_id", "").strip()})
    if answer.ok:
        return s.redirect("/admin/institutions?done=manager")
    if answer.status in (*FORM_ERROR_STATUSES, 404):
        messages = [m for ms in answer.errors.values() for m in ms] or [
            s._("No staff account with the role manager has this id.")]
        return _institutions_page(s, errors={field: messages},
                                  values={field: s.form.get("account_id", "")},
                                  status=422 if answer.status == 404 else answer.status)
    return s.problem_page(answer)
