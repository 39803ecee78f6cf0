"""The provider network, seed 000: "Relacionamentos" (the provider side with
``manage_relationships``: the table, "Novo relacionamento", ending a relationship, changing its
roles) and the secretary's "Convites" ("Aceitar convite", "Recusar") with the providers she acts
for. The API judges who may do what; a refusal is its problem page."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.client import Answer
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.screen import Screen, screen
from ponte.roles import AUTHORIZATIONS, BILLING, COMMERCIAL, MANAGE_RELATIONSHIPS, SECRETARY

ROLE_LABELS = {AUTHORIZATIONS: N_("Authorization"), COMMERCIAL: N_("Commercial"),
               BILLING: N_("Billing"),
               MANAGE_RELATIONSHIPS: N_("Manage the provider's relationships")}
STATUS_LABELS = {"active": N_("Active"), "ended": N_("Ended"), "expired": N_("Expired"),
                 "pending": N_("Pending"), "accepted": N_("Accepted"),
                 "declined": N_("Declined"), "cancelled": N_("Cancelled")}
SEARCH_BY = {"name": N_("Name"), "cpf": N_("CPF"), "email": N_("E-mail")}
SEARCH_MAX = 20


def _id(value: str) -> str:
    return quote(value, safe="")


def _labels(s: Screen) -> dict[str, Any]:
    return {"role_options": [(role, s._(label)) for role, label in ROLE_LABELS.items()],
            "role_labels": {role: s._(label) for role, label in ROLE_LABELS.items()},
            "status_labels": {status: s._(label) for status, label in STATUS_LABELS.items()}}


def _provider(s: Screen) -> str:
    """The provider acted for; a person acting for none is refused as the API would."""
    provider_id = s.person().provider_id
    if provider_id is None:
        raise _Refusal(Answer(403, None))
    return provider_id


class _Refusal(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _term(s: Screen) -> str | None:
    """"Tempo indeterminado" (None) or the end date typed ("" when none was: the API names the
    field)."""
    if s.form.get("term", "indefinite") == "indefinite":
        return None
    return s.form.get("until", "").strip()


# the provider side: "Relacionamentos"
def _relationships_page(s: Screen, *, errors: dict | None = None, status: int = 200,
                        sent: bool = False) -> Response:
    try:
        provider_id = _provider(s)
    except _Refusal as refusal:
        return s.problem_page(refusal.answer)
    answer = s.api("GET", f"/api/v1/providers/{_id(provider_id)}/relationships",
                   query={"limit": 200})
    if not answer.ok:
        return s.problem_page(answer)
    pending = s.api("GET", f"/api/v1/providers/{_id(provider_id)}/invitations",
                    query={"status": "pending", "limit": 200})
    if not pending.ok:
        return s.problem_page(pending)
    return s.render("relationships.html", status=status, rows=answer.data["items"],
                    invitations=pending.data["items"], errors=errors or {}, sent=sent,
                    **_labels(s))


@screen("GET", "/relationships", summary="Screen: Relacionamentos, the provider's (HTML)")
def relationships(s: Screen) -> Response:
    return _relationships_page(s, sent=s.request.args.get("sent") == "1")


def _search(s: Screen, by: str, text: str) -> tuple[list[dict], dict[str, list[str]], int]:
    """Secretaries found by CPF, e-mail or name (the API's search), and its field errors."""
    if by not in SEARCH_BY or not text:
        return [], ({"q": [s._("Type what to search for.")]} if by in SEARCH_BY else {}), 200
    answer = s.api("GET", "/api/v1/secretaries", query={by: text, "limit": SEARCH_MAX})
    if answer.ok:
        return answer.data["items"], {}, 200
    if answer.status in FORM_ERROR_STATUSES:
        return [], form_errors(answer, {by: "q"}, {"q"}), answer.status
    raise _Refusal(answer)


def _new_page(s: Screen, values: dict[str, Any], *, errors: dict | None = None,
              status: int = 200) -> Response:
    try:
        _provider(s)
        by, text = values.get("by", "name"), str(values.get("q", "")).strip()
        searched = "q" in values
        found, search_errors, search_status = (_search(s, by, text) if searched
                                               else ([], {}, 200))
    except _Refusal as refusal:
        return s.problem_page(refusal.answer)
    errors = {**search_errors, **(errors or {})}
    return s.render("relationship_new.html", status=max(status, search_status), found=found,
                    searched=searched, values={"by": by, **values}, errors=errors,
                    chosen_roles=values.get("roles", ()),
                    search_options=[(k, s._(v)) for k, v in SEARCH_BY.items()], **_labels(s))


@screen("GET", "/relationships/new", summary="Screen: Novo relacionamento, find a secretary")
def new_relationship(s: Screen) -> Response:
    return _new_page(s, dict(s.request.args.items()))


@screen("POST", "/relationships/new", summary="Screen: Enviar convite (one invitation)")
def invite(s: Screen) -> Response:
    try:
        provider_id = _provider(s)
    except _Refusal as refusal:
        return s.problem_page(refusal.answer)
    roles = s.form.getlist("roles")
    answer = s.api("POST", f"/api/v1/providers/{_id(provider_id)}/invitations",
                   {"secretary_id": s.form.get("secretary_id") or None, "roles": roles,
                    "until": _term(s)}, once=True)
    if answer.ok:
        return s.redirect("/relationships?sent=1")
    if answer.status in FORM_ERROR_STATUSES or answer.status == 404:
        values = {**kept(s.form), "roles": roles}
        errors = form_errors(answer, known={"secretary_id", "roles", "until"})
        return _new_page(s, values, errors=errors,
                         status=answer.status if answer.status != 404 else 422)
    return s.problem_page(answer)


@screen("POST", "/relationships/{id}/end", summary="Screen: end a relationship")
def end(s: Screen) -> Response:
    answer = s.api("POST", f"/api/v1/relationships/{_id(s.call.params['id'])}/end")
    if not answer.ok:
        return s.problem_page(answer)
    mine = s.person().kind == SECRETARY and s.form.get("from") == "mine"
    return s.redirect("/invitations" if mine else "/relationships")


@screen("POST", "/relationships/{id}/roles", summary="Screen: change a relationship's roles")
def change_roles(s: Screen) -> Response:
    relationship_id = s.call.params["id"]
    answer = s.api("PATCH", f"/api/v1/relationships/{_id(relationship_id)}",
                   {"roles": s.form.getlist("roles")})
    if answer.ok:
        return s.redirect("/relationships")
    if answer.status in FORM_ERROR_STATUSES:
        return _relationships_page(s, status=answer.status, errors={
            f"roles-{relationship_id}": [m for ms in answer.errors.values() for m in ms]})
    return s.problem_page(answer)


# the secretary's side: "Convites" and the providers she acts for
def _invitations_page(s: Screen, *, errors: dict | None = None, values: dict | None = None,
                      status: int = 200) -> Response:
    invitations = s.api("GET", "/api/v1/me/invitations", query={"limit": 200})
    if not invitations.ok:
        return s.problem_page(invitations)
    mine = s.api("GET", "/api/v1/me/relationships", query={"limit": 200})
    if not mine.ok:
        return s.problem_page(mine)
    return s.render("invitations.html", status=status, invitations=invitations.data["items"],
                    relationships=mine.data["items"], errors=errors or {},
                    values=values or {}, **_labels(s))


@screen("GET", "/invitations", summary="Screen: Convites, the secretary's (HTML)")
def invitations(s: Screen) -> Response:
    return _invitations_page(s)


@screen("POST", "/invitations/{id}/accept", summary="Screen: Aceitar convite")
def accept(s: Screen) -> Response:
    invitation_id = s.call.params["id"]
    until = _term(s)
    answer = s.api("POST", f"/api/v1/invitations/{_id(invitation_id)}/accept", {"until": until})
    if answer.ok:
        return s.redirect("/")
    if answer.status in FORM_ERROR_STATUSES:
        messages = [m for ms in answer.errors.values() for m in ms]
        return _invitations_page(s, errors={f"until-{invitation_id}": messages},
                                 values={f"until-{invitation_id}": until or "",
                                         f"term-{invitation_id}": "until"},
                                 status=answer.status)
    return s.problem_page(answer)


@screen("POST", "/invitations/{id}/decline", summary="Screen: Recusar convite")
def decline(s: Screen) -> Response:
    answer = s.api("POST", f"/api/v1/invitations/{_id(s.call.params['id'])}/decline")
    if not answer.ok:
        return s.problem_page(answer)
    return s.redirect("/invitations")
