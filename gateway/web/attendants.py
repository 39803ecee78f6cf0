"""Attendant access (seed 002: the manager "avalia e autoriza as solicitações de permissão de
acesso ao perfil de atendente"): a servant asks an institution for it; the manager's
"Atendentes" lists the requests with "Aprovar" and "Reprovar" (with a reason)."""
from __future__ import annotations

from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.institution import MANAGER_SIDE, institution, institutions, landing, param, refused
from gateway.web.screen import Screen, screen

ACCESS_LABELS = {"pending": N_("Pending"), "approved": N_("Approved"),
                 "rejected": N_("Rejected")}


def _ask_form(s: Screen, status: int = 200, errors: dict | None = None,
              values: dict | None = None, sent: dict | None = None) -> Response:
    options = [("", s._("Choose…"))] + [(i["id"], f"{i['name']} ({i['acronym']})")
                                        for i in institutions(s)]
    return s.render("institution_access.html", status=status, errors=errors or {},
                    values=values or {}, options=options, sent=sent,
                    access_labels=ACCESS_LABELS)


@screen("GET", "/institution/access", summary="Screen: ask for attendant access (servant)")
def ask_access(s: Screen) -> Response:
    return _ask_form(s)


@screen("POST", "/institution/access", summary="Screen: send an attendant access request")
def send_access(s: Screen) -> Response:
    chosen = s.form.get("institution_id", "")
    if not chosen:
        return _ask_form(s, 422, {"institution_id": [s._("Choose the institution.")]},
                         kept(s.form))
    answer = s.api("POST", f"/api/v1/institutions/{quote(chosen, safe='')}/attendant-requests",
                   {"message": s.form.get("message") or None}, once=True)
    if answer.ok:
        return _ask_form(s, sent=answer.data)
    if answer.status in FORM_ERROR_STATUSES or answer.status == 404:
        errors = form_errors(answer, known={"message"})
        if answer.status == 404:
            errors = {"institution_id": errors.pop("_body", [])}
        return _ask_form(s, answer.status, errors, kept(s.form))
    return refused(s, answer)


@screen("GET", "/institution/attendants", summary="Screen: attendant requests (menu)")
def attendants_landing(s: Screen) -> Response:
    return landing(s, MANAGER_SIDE, s._("Attendants"),
                   lambda iid: f"/institution/{iid}/attendants")


def _requests_page(s: Screen, iid: str, status: int = 200, errors: dict | None = None,
                   values: dict | None = None, failed: str | None = None) -> Response:
    shown = s.request.args.get("status") or None
    answer = s.api("GET", f"/api/v1/institutions/{iid}/attendant-requests",
                   query={"status": shown, "limit": 100})
    if not answer.ok:
        return refused(s, answer)
    return s.render("institution_attendants.html", status=status,
                    institution=institution(s, iid), requests=answer.data["items"],
                    shown=shown, errors=errors or {}, values=values or {}, failed=failed,
                    access_labels=ACCESS_LABELS)


@screen("GET", "/institution/{id}/attendants", summary="Screen: an institution's attendants")
def attendants(s: Screen) -> Response:
    return _requests_page(s, param(s))


@screen("POST", "/institution/attendant-requests/{id}/approve",
        summary="Screen: approve an attendant request")
def approve(s: Screen) -> Response:
    answer = s.api("POST", f"/api/v1/attendant-requests/{param(s)}/approve")
    if not answer.ok:
        return refused(s, answer)
    return s.redirect(f"/institution/{answer.data['institution_id']}/attendants")


@screen("POST", "/institution/attendant-requests/{id}/reject",
        summary="Screen: reject an attendant request with a reason")
def reject(s: Screen) -> Response:
    rid = param(s)
    answer = s.api("POST", f"/api/v1/attendant-requests/{rid}/reject",
                   {"reason": s.form.get("reason", "")})
    if answer.ok:
        return s.redirect(f"/institution/{answer.data['institution_id']}/attendants")
    if answer.status in FORM_ERROR_STATUSES and s.form.get("institution_id"):
        errors = form_errors(answer, known={"reason"})
        return _requests_page(s, quote(s.form["institution_id"], safe=""), answer.status,
                              {f"reason-{rid}": errors.get("reason", errors.get("_body", []))},
                              {f"reason-{rid}": s.form.get("reason", "")}, failed=rid)
    return refused(s, answer)
