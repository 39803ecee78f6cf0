"""Signing in and out, creating an account, the language and the provider acted for, and the
home of each kind of account."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from werkzeug.wrappers import Response

from gateway.i18n import CATALOGUE, LANGUAGE_COOKIE, N_
from gateway.web.client import forward
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors, kept
from gateway.web.glance import sections
from gateway.web.profile import missing_labels
from gateway.web.screen import Screen, safe_next, screen
from gateway.web.session import Session, secure_cookies
from ponte.roles import CITIZEN, SECRETARY

LANGUAGE_COOKIE_DAYS = 365
SIGN_UP_KINDS = {SECRETARY: "/api/v1/secretaries", CITIZEN: "/api/v1/citizens"}
SEVERAL_ACCOUNTS = "belongs to more than one account"  # in the API's 401 for a shared CPF/CNPJ
SIGN_UP_FIELDS = ("name", "cpf", "email", "email_confirmation", "secondary_email", "sex")


# signing in
def _sign_in_page(s: Screen, *, login: str = "", remember: bool = False,
                  alert: str = "", errors: dict | None = None, status: int = 200) -> Response:
    return s.render("sign_in.html", status=status, login=login, remember=remember, alert=alert,
                    errors=errors or {}, next=safe_next(s.request.values.get("next")))


@screen("GET", "/sign-in", signed_in=False, summary="Screen: sign in (HTML)")
def sign_in(s: Screen) -> Response:
    if s.session is not None:
        return s.redirect(safe_next(s.request.args.get("next")))
    return _sign_in_page(s)


def _until(s: Screen, seconds: str | None) -> str:
    """When a locked login may try again, as the person reads it."""
    try:
        wait = max(int(seconds or 0), 1)
    except ValueError:
        wait = 60
    return s.page.translator.time(datetime.now(UTC) + timedelta(seconds=wait))


@screen("POST", "/sign-in", signed_in=False, summary="Screen: the sign-in form")
def sign_in_posted(s: Screen) -> Response:
    login = s.form.get("login", "").strip()
    remember = s.form.get("remember_me") == "on"
    # asked in English: the screen words its own alerts and tells the refusals apart by the
    # API's words (a CPF shared by several accounts is a 401 naming them, or a 409)
    answer = forward(s.call, "POST", "/api/v1/sessions",
                     {"login": login, "password": s.form.get("password", ""),
                      "remember_me": remember}, locale="en")
    if answer.status == 200:
        s.begin(Session.from_tokens(answer.data, remember))
        return s.redirect(safe_next(s.form.get("next")))
    if answer.status == 409 or (answer.status == 401 and SEVERAL_ACCOUNTS in str(
            (answer.data or {}).get("detail", ""))):
        alert = s._("This CPF or CNPJ belongs to more than one account: enter your e-mail "
                    "instead.")
    elif answer.status == 401:
        alert = s._("Wrong e-mail, CPF, CNPJ or password.")
    elif answer.status == 429:
        alert = s._("Too many failed attempts: this login is locked for now. Try again at "
                    "%(time)s.", time=_until(s, answer.headers.get("Retry-After")))
    elif answer.status in FORM_ERROR_STATUSES:
        return _sign_in_page(s, login=login, remember=remember, status=answer.status,
                             errors=form_errors(answer))
    else:
        return s.problem_page(answer)
    return _sign_in_page(s, login=login, remember=remember, alert=alert,
                         status=answer.status)


@screen("POST", "/sign-out", summary="Screen: sign out (revokes the session's tokens)")
def sign_out(s: Screen) -> Response:
    s.api("DELETE", "/api/v1/sessions/current")
    s.end()
    return s.redirect("/sign-in")


# creating an account
def _sign_up_page(s: Screen, *, values: dict | None = None, errors: dict | None = None,
                  status: int = 200) -> Response:
    return s.render("sign_up.html", status=status, values=values or {"kind": CITIZEN},
                    errors=errors or {}, kinds=(CITIZEN, SECRETARY))


@screen("GET", "/sign-up", signed_in=False, summary="Screen: create an account (HTML)")
def sign_up(s: Screen) -> Response:
    return _sign_up_page(s)


@screen("POST", "/sign-up", signed_in=False, summary="Screen: the account form")
def sign_up_posted(s: Screen) -> Response:
    form = s.form
    kind = form.get("kind", "")
    if kind not in SIGN_UP_KINDS:
        return _sign_up_page(s, values=kept(form), status=422,
                             errors={"kind": [s._("Choose the kind of account.")]})
    body = {name: form.get(name, "").strip() for name in SIGN_UP_FIELDS
            if form.get(name, "").strip()}
    body.update(password=form.get("password", ""),
                password_confirmation=form.get("password_confirmation", ""),
                accepted_terms=form.get("accepted_terms") == "on")
    answer = s.api("POST", SIGN_UP_KINDS[kind], body)
    if answer.status == 201:
        signed = s.api("POST", "/api/v1/sessions", {"login": body.get("email", ""),
                                                    "password": body["password"]})
        if signed.status == 200:
            s.begin(Session.from_tokens(signed.data, remember=False))
            return s.redirect("/")
        return s.redirect("/sign-in")
    if answer.status in FORM_ERROR_STATUSES:
        return _sign_up_page(s, values=kept(form), errors=form_errors(answer),
                             status=answer.status)
    return s.problem_page(answer)


# language and the provider acted for
@screen("POST", "/language", signed_in=False, summary="Screen: choose the language")
def language(s: Screen) -> Response:
    response = s.redirect(safe_next(s.form.get("next")))
    chosen = s.form.get("language", "")
    if chosen in CATALOGUE:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=LANGUAGE_COOKIE_DAYS * 86400,
                            path="/", httponly=True, samesite="Lax", secure=secure_cookies())
    return response


@screen("POST", "/acting-for", summary="Screen: choose the provider a secretary acts for")
def acting_for(s: Screen) -> Response:
    chosen = s.form.get("provider_id", "")
    if any(grant["provider_id"] == chosen for grant in s.person().acting_for):
        s.remember(acting_for=chosen)
    return s.redirect(safe_next(s.form.get("next")))


# homes
HOME_TITLES = {"provider": N_("Provider portal"), "secretary": N_("Secretary portal"),
               "citizen": N_("Citizen portal"), "staff": N_("Staff portal")}


@screen("GET", "/", signed_in=False, summary="Screen: the home of the signed-in person")
def home(s: Screen) -> Response:
    if s.session is None:
        return s.redirect("/sign-in")
    person = s.person()
    return s.render("home.html", title=s._(HOME_TITLES.get(person.kind, N_("Home"))),
                    missing=missing_labels(s, s.me().get("missing_profile") or []),
                    work=sections(s, person))
