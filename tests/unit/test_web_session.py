"""The portal's session cookie and its guards: sealed so the browser can neither read nor
alter it, HttpOnly/SameSite/Secure as principle 3 asks, persistent only with "Mantenha-me
conectado"; forms from another site refused; ``next`` only ever a path of this site."""
from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.web import session as sessions
from gateway.web.screen import Screen, forgery, safe_next, sign_in_address
from gateway.web.session import Session, seal, unseal
from ponte import config

TOKENS = {"access_token": "header.claims.signature-access", "refresh_token": "refresh-secret",
          "expires_in": 600, "account": {"id": "a1", "kind": "secretary", "name": "Ana",
                                         "email": "ana@ponte.test"}}


@pytest.fixture
def public_url(monkeypatch):
    def use(url: str) -> None:
        monkeypatch.setenv("PONTE_PUBLIC_URL", url)
        config.settings.cache_clear()
    yield use
    config.settings.cache_clear()


def test_a_sealed_session_opens_again_and_hides_the_tokens():
    session = Session.from_tokens(TOKENS, remember=True)
    cookie = seal(session)
    assert "refresh-secret" not in cookie and "signature-access" not in cookie
    assert "Ana" not in cookie
    assert unseal(cookie) == session
    assert seal(session) != cookie  # a fresh nonce each time


def test_an_altered_or_forged_cookie_opens_nothing():
    cookie = seal(Session.from_tokens(TOKENS, remember=False))
    flipped = cookie[:20] + ("A" if cookie[20] != "A" else "B") + cookie[21:]
    for value in (flipped, cookie[:-2], "", None, "x" * 5000, "not base64 at all!", "AAAA"):
        assert unseal(value) is None


def test_a_cookie_sealed_under_another_secret_key_opens_nothing(monkeypatch):
    cookie = seal(Session.from_tokens(TOKENS, remember=False))
    other = replace(config.settings(), secret_key="another key")
    monkeypatch.setattr(sessions, "settings", lambda: other)
    assert unseal(cookie) is None


def test_the_session_knows_when_its_access_token_must_be_renewed():
    session = Session.from_tokens(TOKENS, remember=False)
    assert not session.access_expired
    session.access_expires = time.time() + 5
    assert session.access_expired
    session.renewed({"access_token": "new", "refresh_token": "new-refresh", "expires_in": 600})
    assert not session.access_expired and session.refresh_token == "new-refresh"


def test_cookie_attributes_over_http_and_https(public_url):
    public_url("http://127.0.0.1:8000")
    assert sessions.cookie_name() == "ponte_session"
    plain = sessions.cookie_options(Session.from_tokens(TOKENS, remember=False))
    assert plain == {"httponly": True, "samesite": "Lax", "path": "/", "secure": False}
    public_url("https://ponte.example.org")
    assert sessions.cookie_name() == "__Host-ponte_session"
    kept = sessions.cookie_options(Session.from_tokens(TOKENS, remember=True))
    assert kept["secure"] is True and kept["httponly"] is True and kept["path"] == "/"
    assert kept["max_age"] == config.settings().remember_me_ttl


def screen_for(headers: dict, form: dict | None = None, session: Session | None = None):
    environ = EnvironBuilder(path="/sign-out", method="POST", headers=headers, data=form or {},
                             base_url="http://127.0.0.1:8000").get_environ()
    call = SimpleNamespace(request=Request(environ))
    return Screen(call, session)


def test_cross_site_posts_are_refused(public_url):
    public_url("http://127.0.0.1:8000")
    session = Session.from_tokens(TOKENS, remember=False)
    token = {"csrf": session.csrf}
    same = {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}
    assert not forgery(screen_for(same, token, session))
    assert not forgery(screen_for({}, token, session))  # an old browser: the token decides
    # with Referrer-Policy: no-referrer a browser sends "Origin: null" with the site's own forms
    assert not forgery(screen_for({**same, "Origin": "null"}, token, session))
    assert forgery(screen_for({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, token, session))
    assert forgery(screen_for({**same, "Origin": "https://evil.example"}, token, session))
    assert forgery(screen_for({**same, "Sec-Fetch-Site": "cross-site"}, token, session))
    assert forgery(screen_for({**same, "Sec-Fetch-Site": "same-site"}, token, session))
    assert forgery(screen_for(same, {}, session))  # no token
    assert forgery(screen_for(same, {"csrf": "guess"}, session))
    # signed out (the sign-in form): the origin alone decides
    assert not forgery(screen_for(same))
    assert forgery(screen_for({"Origin": "https://evil.example"}))


@pytest.mark.parametrize("target, expected", [
    ("/notifications?unread=true", "/notifications?unread=true"), ("/", "/"), (None, "/"),
    ("", "/"), ("https://evil.example/", "/"), ("//evil.example/x", "/"),
    ("/\\evil.example", "/"), ("notifications", "/"), ("/x\r\nSet-Cookie: a=b", "/"),
])
def test_next_is_only_ever_a_path_of_this_site(target, expected):
    assert safe_next(target) == expected


def test_the_sign_in_address_carries_where_to_come_back():
    assert sign_in_address("/") == "/sign-in"
    assert sign_in_address("/notifications?unread=true") == \
        "/sign-in?next=/notifications%3Funread%3Dtrue"


class FakeApi:
    """Stands in for the route table: answers by (method, path), records what was asked."""

    def __init__(self, answers: dict) -> None:
        self.answers, self.asked = answers, []

    def __call__(self, call, method, path, body=None, *, query=None, token=None, locale=None,
                 idempotency_key=None):
        from gateway.web.client import Answer
        self.asked.append((method, path, token))
        status, data = self.answers[(method, path)](token)
        return Answer(status, data)


def signed_in_screen(monkeypatch, answers: dict, expires_in: int = 600):
    from gateway.web import screen as screens
    fake = FakeApi(answers)
    monkeypatch.setattr(screens, "forward", fake)
    monkeypatch.setattr(screens, "_RENEWED", {})
    session = Session.from_tokens({**TOKENS, "expires_in": expires_in}, remember=False)
    return screen_for({}, session=session), fake


RENEWED = {"access_token": "renewed-access", "refresh_token": "renewed-refresh",
           "expires_in": 600}


def test_an_expired_access_token_is_renewed_by_the_server_before_the_call(monkeypatch):
    current, fake = signed_in_screen(monkeypatch, {
        ("POST", "/api/v1/sessions/refresh"): lambda token: (200, RENEWED),
        ("GET", "/api/v1/me"): lambda token: (200, {"token": token})}, expires_in=10)
    assert current.api("GET", "/api/v1/me").data == {"token": "renewed-access"}
    assert [a[1] for a in fake.asked] == ["/api/v1/sessions/refresh", "/api/v1/me"]
    response = current.finish(Response("ok"))
    sealed = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert unseal(sealed).refresh_token == "renewed-refresh"  # the new tokens go in the cookie


def test_a_401_is_retried_once_after_renewing_and_a_refused_renewal_signs_out(monkeypatch):
    from gateway.web.screen import SignedOut
    current, fake = signed_in_screen(monkeypatch, {
        ("POST", "/api/v1/sessions/refresh"): lambda token: (200, RENEWED),
        ("GET", "/api/v1/me"): lambda token: (200, {}) if token == "renewed-access"
        else (401, {})})
    assert current.api("GET", "/api/v1/me").status == 200
    revoked, _ = signed_in_screen(monkeypatch, {
        ("POST", "/api/v1/sessions/refresh"): lambda token: (401, {}),
        ("GET", "/api/v1/me"): lambda token: (401, {})})
    with pytest.raises(SignedOut):
        revoked.api("GET", "/api/v1/me")


def test_two_requests_renewing_with_the_same_refresh_token_spend_it_once(monkeypatch):
    answers = {("POST", "/api/v1/sessions/refresh"): lambda token: (200, RENEWED),
               ("GET", "/api/v1/me"): lambda token: (200, {})}
    first, fake = signed_in_screen(monkeypatch, answers, expires_in=10)
    second = screen_for({}, session=Session.from_tokens({**TOKENS, "expires_in": 10}, False))
    first.api("GET", "/api/v1/me")
    second.api("GET", "/api/v1/me")
    assert [a[1] for a in fake.asked] == ["/api/v1/sessions/refresh", "/api/v1/me",
                                          "/api/v1/me"]  # the first renewal's tokens reused
    assert second.session.access_token == "renewed-access"
