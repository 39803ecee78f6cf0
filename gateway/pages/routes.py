"""The web pages behind the links of the e-mails (API.md "Web pages"): complete a provider
registration, set or reset a password, ask for a reset, read the terms.

Server-rendered Jinja2 templates, enhanced by one small script (``static/pages.js``) that sends
the form to the public JSON API and shows the answer in place. Without the script the form still
works: it posts here, and the handler passes it on to the same JSON API through the gateway's
route table. Either way, every rule (password policy, required fields, link validity) is
judged once, by the API and the identity service behind it.
"""
from __future__ import annotations

import functools
import json
import logging
from datetime import date
from typing import Any
from urllib.parse import quote

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.api import Api, Call
from gateway.identity.schemas import PROVIDER_TYPES, SEXES
from gateway.pages.render import STATIC, Page, format_document, secure
from ponte import logs
from ponte.clock import now

log = logging.getLogger(__name__)
api = Api()
PAGE = {"public": True, "tag": "pages"}


def html_route(method: str, path: str, summary: str):  # noqa: ANN201
    """A public route answering HTML whatever happens: a failure shows an error page in the
    visitor's language, not a problem document."""
    def register(handler):  # noqa: ANN001, ANN202
        @functools.wraps(handler)
        def safely(call: Call) -> Response:
            try:
                return handler(call)
            except Exception:
                log.exception("page %s %s failed", method, path)
                return _trouble(Page(call.request), 500)
        return api.route(method, path, summary=summary, **PAGE)(safely)
    return register


TERMS_UPDATED = date(2026, 12, 1)
ASSETS = {"pages.css": "text/css", "pages.js": "text/javascript"}


# the JSON API, called the way any client calls it
def forward(call: Call, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    """Send a request through the gateway's own route table: the same validation, service call
    and problem document as a client of the JSON API gets."""
    headers = {"Accept": "application/json", "X-Correlation-Id": logs.correlation_id() or ""}
    builder = EnvironBuilder(path=path, method=method, headers=headers,
                             json=body)
    try:
        request = Request(builder.get_environ())
    finally:
        builder.close()
    gateway = call.gateway
    answer = gateway.api.dispatch(request, gateway, call.services, gateway.auth)
    raw = answer.get_data()
    try:
        return answer.status_code, json.loads(raw) if raw else None
    except ValueError:
        return answer.status_code, None


def _token(call: Call) -> str:
    source = call.request.form if call.request.method == "POST" else call.request.args
    return source.get("token", "")


def _registration_path(token: str) -> str:
    return f"/api/v1/registrations/{quote(token, safe='')}"


def _reset_path(token: str) -> str:
    return f"/api/v1/password-resets/{quote(token, safe='')}"


def _field_errors(problem: dict) -> dict[str, list[str]]:
    """A problem document's field errors; its detail when it names no field."""
    return problem.get("errors") or {"_body": [str(problem.get("detail", ""))]}


def _gone(page: Page, flow: str) -> Response:
    return page.render("gone.html", status=404, flow=flow)


def _trouble(page: Page, status: int) -> Response:
    """Anything but a field error: an HTML page, never JSON or a trace."""
    key = "error_busy" if status == 429 else "error_generic"
    return page.render("error.html", status=status if status >= 400 else 500, message=key)


# provider registration
def _registration_page(page: Page, token: str, info: dict, *, values: dict | None = None,
                       errors: dict | None = None, done: dict | None = None,
                       status: int = 200) -> Response:
    individual = info.get("person_type") == "individual"
    site_name, legal_name = info.get("site_name") or "", info.get("legal_name") or ""
    show_site = bool(site_name) and site_name != legal_name
    who = f"{legal_name} ({page.t('site_label', site_name=site_name)})" if show_site \
        else legal_name
    return page.render("registration.html", status=status, flow="registration", token=token,
                       info=info, who=who,
                       document=format_document(info.get("document") or ""),
                       document_kind="cpf" if individual else "cnpj", individual=individual,
                       site_name=site_name, show_site=show_site,
                       provider_types=PROVIDER_TYPES, sexes=SEXES,
                       values=values or {}, errors=page.api_errors(errors or {}), done=done)


@html_route("GET", "/registration", "Page: complete a provider registration (HTML)")
def registration(call: Call) -> Response:
    page, token = Page(call.request), _token(call)
    if not token:
        return _gone(page, "registration")
    status, info = forward(call, "GET", _registration_path(token))
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


@html_route("POST", "/registration", "Page: the registration form sent without script")
def registration_posted(call: Call) -> Response:
    page, form, token = Page(call.request), call.request.form, _token(call)
    status, info = forward(call, "GET", _registration_path(token)) if token else (404, None)
    if status == 404:
        return _gone(page, "registration")
    if status != 200:
        return _trouble(page, status)
    status, answer = forward(call, "POST", _registration_path(token),
                             _registration_body(form))
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
@html_route("GET", "/password-reset", "Page: choose a password from a set-up or reset link (HTML)")
def password_reset(call: Call) -> Response:
    page, token = Page(call.request), _token(call)
    if not token or not _reset_link_usable(call, token):
        return _gone(page, "reset")
    return page.render("password_reset.html", flow="reset", token=token, errors={}, done=None)


def _reset_link_usable(call: Call, token: str) -> bool:
    """Whether the link still works, asked without changing anything: the API has no read of a
    reset link, but it judges the link before the password, so an empty password gets 404 for a
    gone link and 422 (the policy) for a usable one. Any other answer shows the form; sending it
    then tells the person if the link is gone."""
    empty = {"password": "", "password_confirmation": ""}  # nosec B105 # a probe, set nothing
    status, _ = forward(call, "POST", _reset_path(token), empty)
    return status != 404


@html_route("POST", "/password-reset", "Page: the password form sent without script")
def password_reset_posted(call: Call) -> Response:
    page, form, token = Page(call.request), call.request.form, _token(call)
    if not token:
        return _gone(page, "reset")
    status, answer = forward(call, "POST", _reset_path(token), {
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
@html_route("GET", "/forgot-password", "Page: ask for a password-reset link (HTML)")
def forgot_password(call: Call) -> Response:
    return Page(call.request).render("forgot_password.html", errors={}, done=False, values={})


@html_route("POST", "/forgot-password", "Page: the reset request sent without script")
def forgot_password_posted(call: Call) -> Response:
    page, email = Page(call.request), call.request.form.get("email", "").strip()
    status, answer = forward(call, "POST", "/api/v1/password-resets", {"email": email})
    if status == 202:
        return page.render("forgot_password.html", errors={}, done=True, values={})
    if status in (400, 422) and isinstance(answer, dict):
        return page.render("forgot_password.html", status=status, done=False,
                           values={"email": email},
                           errors=page.api_errors(_field_errors(answer)))
    return _trouble(page, status)


# terms and assets
@html_route("GET", "/terms", "Page: the terms of use (HTML)")
def terms(call: Call) -> Response:
    page = Page(call.request)
    return page.render("terms.html", updated=page.day(TERMS_UPDATED))


@html_route("GET", "/assets/{name}", "Style sheet and script of the pages")
def asset(call: Call) -> Response:
    name = call.params["name"]
    if name not in ASSETS:
        return secure(Response("Not found.", status=404, mimetype="text/plain"))
    response = Response((STATIC / name).read_bytes(), mimetype=ASSETS[name])
    secure(response)
    response.headers["Cache-Control"] = "no-cache"
    return response
