"""The web pages behind the links of the e-mails (API.md "Web pages"): complete a provider
registration, set or reset a password, ask for a reset, read the terms.

Server-rendered Jinja2 templates, enhanced by one small script (``static/pages.js``) that sends
the form to the public JSON API and shows the answer in place. Without the script the form still
works: it posts here, and the handler passes it on to the same JSON API through the gateway's
route table. Either way, every rule (password policy, required fields, link validity) is
judged once, by the API and the identity service behind it.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.api import Call
from gateway.i18n import N_
from gateway.identity.schemas import PROVIDER_TYPES, SEXES
from gateway.web.client import forward
from gateway.web.render import STATIC, Page, format_document, secure
from gateway.web.screen import Screen, api, screen
from ponte.clock import now

TERMS_UPDATED = date(2026, 12, 1)
TERMS = [
    (N_("Purpose"),
     N_(
        "Ponte connects the operator with its network of accredited providers, the secretaries "
        "who work for them and the citizens they serve. These terms govern the use of the portal "
        "and its API.")),
    (N_("Account and password"),
     N_(
        "Your account is personal. Keep your password secret and do not share it: whoever works "
        "on a provider's behalf must have a secretary account of their own, with the roles the "
        "provider grants.")),
    (N_("Information you give"),
     N_(
        "You are responsible for the accuracy of what you record. Changes made on the portal are "
        "not passed on to the operator automatically.")),
    (N_("Privacy"),
     N_(
        "Personal data is processed under Brazil's General Data Protection Law (Law 13,709/2018), "
        "only for the purposes of the portal.")),
    (N_("Ending"),
     N_(
        "You can delete your profile at any time. The operator may suspend accounts used against "
        "these terms.")),
]
ASSETS = {"pages.css": "text/css", "pages.js": "text/javascript",
          "portal.css": "text/css", "portal.js": "text/javascript",
          "authorizations.js": "text/javascript"}


def _anonymous(s: Screen, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    """The link pages call the API as nobody: the link's token is their credential."""
    answer = forward(s.call, method, path, body, locale=s.locale)
    return answer.status, answer.data


def _field_errors(problem: dict) -> dict[str, list[str]]:
    """A problem document's field errors; its detail when it names no field."""
    return problem.get("errors") or {"_body": [str(problem.get("detail", ""))]}


def _token(s: Screen) -> str:
    source = s.request.form if s.request.method == "POST" else s.request.args
    return source.get("token", "")


def _registration_path(token: str) -> str:
    return f"/api/v1/registrations/{quote(token, safe='')}"


def _reset_path(token: str) -> str:
    return f"/api/v1/password-resets/{quote(token, safe='')}"


def _gone(page: Page, flow: str) -> Response:
    return page.render("gone.html", status=404, flow=flow)


def _trouble(page: Page, status: int) -> Response:
    """Anything but a field error: an HTML page, never JSON or a trace."""
    message = N_("Too many attempts in a row. Please wait a little and try again.") \
        if status == 429 else \
        N_("Something went wrong on our side. Please try again in a moment.")
    return page.render("error.html", status=status if status >= 400 else 500,
                       message=page.gettext(message))


# provider registration
def _registration_page(page: Page, token: str, info: dict, *, values: dict | None = None,
                       errors: dict | None = None, done: dict | None = None,
                       status: int = 200) -> Response:
    individual = info.get("person_type") == "individual"
    site_name, legal_name = info.get("site_name") or "", info.get("legal_name") or ""
    show_site = bool(site_name) and site_name != legal_name
    site = page.gettext("site %(site_name)s", site_name=site_name)
    who = f"{legal_name} ({site})" if show_site else legal_name
    return page.render("registration.html", status=status, flow="registration", token=token,
                       info=info, who=who,
                       document=format_document(info.get("document") or ""),
                       document_kind="cpf" if individual else "cnpj", individual=individual,
                       site_name=site_name, show_site=show_site,
                       provider_types=PROVIDER_TYPES, sexes=SEXES,
                       values=values or {}, errors=page.api_errors(errors or {}), done=done)


@screen("GET", "/registration", signed_in=False,
        summary="Page: complete a provider registration (HTML)")
def registration(s: Screen) -> Response:
    page, token = s.page, _token(s)
    if not token:
        return _gone(page, "registration")
    status, info = _anonymous(s, "GET", _registration_path(token))
    if status == 404:
        return _gone(page, "registration")
    if status != 200:
        return _trouble(page, status)
    return _registration_page(page, token, info)


def _registration_body(form: Any) -> dict:
    """The form's fields as the JSON API takes them (blank optional fields left out)."""
    body: dict[str, Any] = {"password": form.get("password", ""),
                            "password_confirmation": form.get("password_confirmation", ""),
                            "accepted_terms": form.get("accepted_terms") == "on"}
    for name in ("provider_type", "sex", "email", "secondary_email"):
        value = form.get(name, "").strip()
        if value:
            body[name] = value
    return body


@screen("POST", "/registration", signed_in=False,
        summary="Page: the registration form sent without script")
def registration_posted(s: Screen) -> Response:
    page, form, token = s.page, s.request.form, _token(s)
    status, info = _anonymous(s, "GET", _registration_path(token)) if token else (404, None)
    if status == 404:
        return _gone(page, "registration")
    if status != 200:
        return _trouble(page, status)
    status, answer = _anonymous(s, "POST", _registration_path(token), _registration_body(form))
    if status == 201:
        return _registration_page(page, "", info, done=answer["account"])
    if status == 404:
        return _gone(page, "registration")
    if status in (400, 409, 422) and isinstance(answer, dict):
        values = {k: v for k, v in form.items() if "password" not in k}
        return _registration_page(page, token, info, values=values,
                                  errors=_field_errors(answer), status=status)
    return _trouble(page, status)


# password set-up and reset
@screen("GET", "/password-reset", signed_in=False,
        summary="Page: choose a password from a set-up or reset link (HTML)")
def password_reset(s: Screen) -> Response:
    page, token = s.page, _token(s)
    if not token or not _reset_link_usable(s, token):
        return _gone(page, "reset")
    return page.render("password_reset.html", flow="reset", token=token, errors={}, done=None)


def _reset_link_usable(s: Screen, token: str) -> bool:
    """Whether the link still works, asked without changing anything: the API has no read of a
    reset link, but it judges the link before the password, so an empty password gets 404 for a
    gone link and 422 (the policy) for a usable one. Any other answer shows the form; sending it
    then tells the person if the link is gone."""
    empty = {"password": "", "password_confirmation": ""}  # nosec B105 # a probe, set nothing
    status, _ = _anonymous(s, "POST", _reset_path(token), empty)
    return status != 404


@screen("POST", "/password-reset", signed_in=False,
        summary="Page: the password form sent without script")
def password_reset_posted(s: Screen) -> Response:
    page, form, token = s.page, s.request.form, _token(s)
    if not token:
        return _gone(page, "reset")
    status, answer = _anonymous(s, "POST", _reset_path(token), {
        "password": form.get("password", ""),
        "password_confirmation": form.get("password_confirmation", "")})
    if status == 204:
        done = {"when": page.moment(now())}
        return page.render("password_reset.html", flow="reset", token="",  # nosec B106 # no link
                           errors={}, done=done)
    if status == 404:
        return _gone(page, "reset")
    if status in (400, 422) and isinstance(answer, dict):
        return page.render("password_reset.html", flow="reset", status=status, token=token,
                           done=None, errors=page.api_errors(_field_errors(answer)))
    return _trouble(page, status)


# asking for a reset
@screen("GET", "/forgot-password", signed_in=False,
        summary="Page: ask for a password-reset link (HTML)")
def forgot_password(s: Screen) -> Response:
    return s.page.render("forgot_password.html", errors={}, done=False, values={})


@screen("POST", "/forgot-password", signed_in=False,
        summary="Page: the reset request sent without script")
def forgot_password_posted(s: Screen) -> Response:
    page, email = s.page, s.request.form.get("email", "").strip()
    status, answer = _anonymous(s, "POST", "/api/v1/password-resets", {"email": email})
    if status == 202:
        return page.render("forgot_password.html", errors={}, done=True, values={})
    if status in (400, 422) and isinstance(answer, dict):
        return page.render("forgot_password.html", status=status, done=False,
                           values={"email": email},
                           errors=page.api_errors(_field_errors(answer)))
    return _trouble(page, status)


# terms and assets
@screen("GET", "/terms", signed_in=False, summary="Page: the terms of use (HTML)")
def terms(s: Screen) -> Response:
    page = s.page
    return page.render("terms.html", updated=page.day(TERMS_UPDATED), sections=TERMS)


@api.route("GET", "/assets/{name}", public=True, tag="pages",
           summary="Style sheets and scripts of the portal")
def asset(call: Call) -> Response:
    name = call.params["name"]
    if name not in ASSETS:
        return secure(Response("Not found.", status=404, mimetype="text/plain"))
    response = Response((STATIC / name).read_bytes(), mimetype=ASSETS[name])
    secure(response)
    response.headers["Cache-Control"] = "no-cache"
    return response
