"""A screen of the portal: the route decorator every screen uses, and :class:`Screen`, what
its handler works with.

``@screen("GET", "/path")`` registers a route of the gateway's table that answers HTML:

- it reads the session cookie (:mod:`gateway.web.session`); a signed-in screen
  (``signed_in=True``, the default) sends a signed-out visitor to ``/sign-in?next=/path``;
- every request but GET/HEAD is checked against cross-site forgery (:func:`forgery`): a
  cross-site ``Origin`` or ``Sec-Fetch-Site`` is refused, and with a session so is a form
  without the session's ``csrf`` token; the refusal is a 403 page;
- the answer carries the security headers of principle 4, and ``Cache-Control: no-store``;
- a handler's crash is an error page, never a trace; tokens that no longer open anything
  (revoked, refresh refused) end the session and send the person to ``/sign-in``.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from werkzeug.wrappers import Response

from gateway.api import Api, Call
from gateway.i18n import N_
from gateway.web import session as sessions
from gateway.web.client import Answer, forward
from gateway.web.menu import Person, entries_for
from gateway.web.render import Page
from gateway.web.session import Session
from ponte.config import settings

log = logging.getLogger(__name__)
api = Api()
SAFE_METHODS = ("GET", "HEAD")
SAME_SITE = ("same-origin", "none")  # Sec-Fetch-Site values a form of ours may carry
RENEWAL_MEMORY = 30  # seconds a renewal's answer is kept for a request that spent the same token
_RENEWING = threading.Lock()  # green under eventlet: renewals of this process, one at a time
_RENEWED: dict[str, tuple[float, dict]] = {}


class SignedOut(Exception):
    """The session's tokens open nothing any more (revoked, expired, refresh refused)."""


class ApiFailure(Exception):
    """An answer of the API the screen cannot go on without; shown as its problem page."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site, never another origin."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return "/"
    return target


def sign_in_address(path: str) -> str:
    return "/sign-in" if path in ("", "/") else f"/sign-in?next={quote(path, safe='/')}"


def own_origins(request: Any) -> set[str]:
    """The origins this portal answers as: the public URL's and the request's own host."""
    public = urlsplit(settings().public_url)
    return {f"{public.scheme}://{public.netloc}", request.host_url.rstrip("/")}


class Screen:
    """One request to the portal: the page (locale, texts, rendering), the session and the way
    to the API. Handlers receive one."""

    def __init__(self, call: Call, session: Session | None) -> None:
        self.call = call
        self.request = call.request
        self.page = Page(call.request)
        self.session = session
        self.page.csrf = session.csrf if session else ""
        self._changed = False
        self._ended = False
        self._person: Person | None = None
        self._me: dict | None = None

    # language
    @property
    def locale(self) -> str:
        return self.page.locale

    def _(self, message: str, **values: Any) -> str:
        """``message`` in the person's language."""
        return self.page.gettext(message, **values)

    @property
    def form(self) -> Any:
        return self.request.form

    # the API
    def api(self, method: str, path: str, body: dict | None = None,
            query: dict[str, Any] | None = None, *, once: bool = False,
            files: dict[str, Any] | None = None) -> Answer:
        """A request to the JSON API as the signed-in person (anonymous when signed out), in
        their language. An expired access token is renewed first; a 401 is retried once after
        renewing; when renewal fails :class:`SignedOut` is raised. With ``once`` the form's
        ``idempotency_key`` (``{{ idempotency_field() }}``) goes as ``Idempotency-Key``: the
        same form sent twice creates one thing. ``files`` (``{"file": (stream, filename,
        content_type)}`` or a ``FileStorage``) go as multipart instead of ``body``."""
        key = self.form.get("idempotency_key") if once else None
        upload: dict[str, Any] = {"files": files} if files is not None else {}
        if self.session is None:
            return forward(self.call, method, path, body, query=query, locale=self.locale,
                           idempotency_key=key, **upload)
        if self.session.access_expired:
            self._refresh()
        answer = forward(self.call, method, path, body, query=query, idempotency_key=key,
                         token=self.session.access_token, locale=self.locale, **upload)
        if answer.status == 401:
            self._refresh()
            answer = forward(self.call, method, path, body, query=query, idempotency_key=key,
                             token=self.session.access_token, locale=self.locale, **upload)
            if answer.status == 401:
                raise SignedOut()
        return answer

    def _refresh(self) -> None:
        """Renew the tokens. Refresh tokens are single use, so two requests of one browser
        renewing at once (a page and its pop-ups' ticket) must not both spend the same one:
        within this process the second one takes the first one's answer."""
        assert self.session is not None  # nosec B101 # only called with a session
        spent = hashlib.sha256(self.session.refresh_token.encode()).hexdigest()
        with _RENEWING:
            now = time.monotonic()
            for key in [k for k, (when, _) in _RENEWED.items() if now - when > RENEWAL_MEMORY]:
                del _RENEWED[key]
            if spent in _RENEWED:
                tokens = _RENEWED[spent][1]
            else:
                answer = forward(self.call, "POST", "/api/v1/sessions/refresh",
                                 {"refresh_token": self.session.refresh_token},
                                 locale=self.locale)
                if answer.status != 200:
                    raise SignedOut()
                tokens = answer.data
                _RENEWED[spent] = (now, tokens)
        self.session.renewed(tokens)
        self._changed = True

    # the session
    def begin(self, session: Session) -> None:
        """Sign in: the cookie is written with this answer."""
        self.session, self._changed, self._ended = session, True, False
        self.page.csrf = session.csrf

    def end(self) -> None:
        """Sign out: the cookie is removed with this answer."""
        self.session, self._ended, self._person = None, True, None

    def remember(self, **changes: Any) -> None:
        """Change what the session keeps (e.g. ``acting_for``)."""
        assert self.session is not None  # nosec B101 # only called signed in
        for name, value in changes.items():
            setattr(self.session, name, value)
        self._changed = True

    # the person
    def me(self) -> dict:
        """``GET /api/v1/me``, once per request."""
        if self._me is None:
            answer = self.api("GET", "/api/v1/me")
            if answer.status != 200:
                raise ApiFailure(answer)
            self._me = answer.data
        return self._me

    def person(self) -> Person:
        if self._person is None:
            self._person = Person.from_me(self.me(), self.session.acting_for
                                          if self.session else None)
        return self._person

    def header(self) -> dict[str, Any]:
        """What the signed-in header shows: the person, the menu, the unread count."""
        if self.session is None:
            return {"person": None, "menu": [], "unread": 0}
        try:
            person = self.person()
        except ApiFailure:  # the page still says what went wrong, without the header
            return {"person": None, "menu": [], "unread": 0}
        inbox = self.api("GET", "/api/v1/notifications", query={"unread": "true", "limit": 1})
        unread = inbox.data.get("unread_count", 0) if inbox.ok and inbox.data else 0
        return {"person": person, "menu": entries_for(person), "unread": unread}

    # answers
    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        """``template`` in the person's language, inside the layout (``layout.html``)."""
        return self.page.render(template, status=status, signed_in=self.session is not None,
                                **self.header(), **context)

    def redirect(self, location: str) -> Response:
        """See other (303): after a POST the browser GETs ``location``."""
        return Response(status=303, headers={"Location": location})

    def problem_page(self, answer: Answer, header: bool = True) -> Response:
        """The page an API refusal maps to (403, 404, 409, 429, or anything else)."""
        status = answer.status if answer.status in (403, 404, 409, 429) else 500
        messages = {403: N_("You may not do this."),
                    404: N_("This page does not exist, or you may not see it."),
                    409: N_("This could not be done now: it changed meanwhile."),
                    429: N_("Too many attempts in a row. Please wait a little and try again."),
                    500: N_("Something went wrong on our side. Please try again in a moment.")}
        render = self.render if header else self.page.render
        return render("error.html", status=status, message=self._(messages[status]))

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""

    def finish(self, response: Response) -> Response:
        """The cookie written or removed, the headers of every screen."""
        name = sessions.cookie_name()
        if self._ended:
            response.delete_cookie(name, path="/", secure=sessions.secure_cookies(),
                                   httponly=True, samesite="Lax")
        elif self._changed and self.session is not None:
            response.set_cookie(name, sessions.seal(self.session),
                                **sessions.cookie_options(self.session))
        if response.mimetype != "text/html":
            from gateway.web.render import secure
            secure(response)
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response


def forgery(screen: Screen) -> bool:
    """Whether a state-changing request may be forged: sent from another site (``Origin``,
    ``Sec-Fetch-Site``), or, with a session, without the session's ``csrf`` token."""
    request = screen.request
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in SAME_SITE:
        return True
    origin = request.headers.get("Origin")
    # the screens' no-referrer policy makes a browser send "Origin: null" with their own forms;
    # Sec-Fetch-Site (above) and the token (below) judge those
    if origin not in (None, "null") and origin not in own_origins(request):
        return True
    if screen.session is None:
        return False
    given = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    return not hmac.compare_digest(given.encode(), screen.session.csrf.encode())


def read_session(call: Call) -> Session | None:
    return sessions.unseal(call.request.cookies.get(sessions.cookie_name()))


Handler = Callable[[Screen], Response]


def screen(method: str, path: str, *, signed_in: bool = True, summary: str = "",
           table: Api = api) -> Callable[[Handler], Handler]:
    """Register a screen: ``@screen("GET", "/notifications")`` over ``def f(s: Screen)``."""
    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(call: Call) -> Response:
            current = Screen(call, read_session(call))
            try:
                if method not in SAFE_METHODS and forgery(current):
                    response = current.page.render(
                        "error.html", status=403,
                        message=current._("This form was not sent from this site, or it "
                                          "expired. Go back, reload the page and try again."),
)
                elif signed_in and current.session is None:
                    target = call.request.full_path.rstrip("?") if method == "GET" else "/"
                    response = current.redirect(sign_in_address(target))
                else:
                    response = handler(current)
            except ApiFailure as failure:
                response = current.problem_page(failure.answer, header=False)
            except SignedOut:
                current.end()
                response = current.redirect(sign_in_address(
                    call.request.full_path.rstrip("?") if method == "GET" else "/"))
            except Exception:
                log.exception("screen %s %s failed", method, path)
                response = current.page.render(
                    "error.html", status=500,
                    message=current._("Something went wrong on our side. Please try again in "
                                      "a moment."),
)
            return current.finish(response)
        return table.route(method, path, public=True, tag="pages",
                           summary=summary or f"Screen {method} {path} (HTML)")(run)
    return register
