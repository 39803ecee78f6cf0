"""Rate limits at the gateway: buckets, the client address behind trusted proxies, and the
429 problem with Retry-After for public endpoints (per address) and writes (per account)."""
from __future__ import annotations

import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway import identity, operations
from gateway.api import combine
from gateway.auth import EdgeAuth, Revocations
from gateway.limits import Buckets, Limits, client_address, networks
from ponte import config
from ponte.tokens import issue_access_token, new_access_claims

SECRET = "s" * 48


@pytest.fixture
def limits(monkeypatch):
    monkeypatch.setenv("PONTE_RATE_LIMIT_FACTOR", "1")
    monkeypatch.delenv("PONTE_TRUSTED_PROXIES", raising=False)
    config.settings.cache_clear()
    limiter = Limits()
    limiter.setup()
    yield limiter
    config.settings.cache_clear()


def _auth() -> EdgeAuth:
    auth = EdgeAuth()
    auth.secret, auth.revocations = SECRET, Revocations(600)
    return auth


API = combine(operations.api, identity.api)


def _request(method: str, path: str, remote: str = "203.0.113.7", **headers: str) -> Request:
    return Request(EnvironBuilder(method=method, path=path, headers=headers,
                                  environ_base={"REMOTE_ADDR": remote}).get_environ())


def test_a_bucket_allows_its_limit_then_says_how_long_to_wait():
    buckets = Buckets()
    assert all(buckets.take("sign_in", "a", 60, now=0.0) == 0 for _ in range(60))
    assert buckets.take("sign_in", "a", 60, now=0.0) == pytest.approx(1.0)
    assert buckets.take("sign_in", "b", 60, now=0.0) == 0  # another key has its own bucket
    assert buckets.take("sign_in", "a", 60, now=1.0) == 0  # one more after a second


def test_sign_in_is_limited_per_client_address(limits):
    auth = _auth()
    for _ in range(60):
        assert limits.check(_request("POST", "/api/v1/sessions"), API, auth) is None
    refused = limits.check(_request("POST", "/api/v1/sessions"), API, auth)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert json.loads(refused.get_data())["status"] == 429
    # a forwarded-for header from an untrusted peer changes nothing
    assert limits.check(_request("POST", "/api/v1/sessions",
                                 **{"X-Forwarded-For": "198.51.100.1"}), API, auth) is not None
    assert limits.check(_request("POST", "/api/v1/sessions", remote="203.0.113.8"),
                        API, auth) is None
    assert limits.check(_request("GET", "/healthz"), API, auth) is None  # not limited


def test_the_factor_multiplies_every_limit(limits, monkeypatch):
    monkeypatch.setenv("PONTE_RATE_LIMIT_FACTOR", "2")
    monkeypatch.setenv("PONTE_RATE_LIMIT_REGISTRATION", "5")
    config.settings.cache_clear()
    auth = _auth()
    answers = [limits.check(_request("POST", "/api/v1/citizens"), API, auth)
               for _ in range(11)]
    assert answers[:10] == [None] * 10
    assert answers[10].status_code == 429


def test_authenticated_writes_are_limited_per_account(limits):
    auth = _auth()

    def token(account: str) -> str:
        return "Bearer " + issue_access_token(new_access_claims(account, "citizen", "s", 600),
                                              SECRET)
    mine, other = token("acc-1"), token("acc-2")
    for _ in range(120):
        assert limits.check(_request("PATCH", "/api/v1/me", Authorization=mine), API,
                            auth) is None
    assert limits.check(_request("PATCH", "/api/v1/me", Authorization=mine), API,
                        auth).status_code == 429
    assert limits.check(_request("PATCH", "/api/v1/me", Authorization=other), API,
                        auth) is None
    assert limits.check(_request("GET", "/api/v1/me", Authorization=mine), API, auth) is None


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
    ("10.0.0.2", "198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
    ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.1"),
    ("10.0.0.2", "", ("10.0.0.0/8",), "10.0.0.2"),
    ("10.0.0.2", "not-an-address", ("10.0.0.0/8",), "10.0.0.2"),
    ("192.0.2.1", "198.51.100.1", ("10.0.0.0/8",), "192.0.2.1"),
    ("::1", "2001:db8::5", ("::1",), "2001:db8::5"),
])
def test_the_client_address_comes_from_forwarded_for_only_behind_trusted_proxies(
        peer, forwarded, trusted, expected):
    environ = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(environ, networks(trusted)) == expected


def test_every_limited_endpoint_is_a_public_route():
    from gateway.limits import PUBLIC
    from gateway.service import API as WHOLE
    public = {(route.method, route.path) for route in WHOLE.routes if route.public}
    assert set(PUBLIC) <= public, set(PUBLIC) - public


class _Gateway:
    """What the route table needs of the gateway to answer a page and the API calls it makes;
    ``lookups`` counts the token look-ups that reached identity."""

    def __init__(self, limits: Limits) -> None:
        from gateway.service import API as WHOLE
        self.api, self.limits, self.auth, self.client_environ = WHOLE, limits, _auth(), None
        self.lookups = 0

    def page(self, method: str, path: str, **form: str):
        request = Request(EnvironBuilder(method=method, path=path, data=form or None,
                                         environ_base={"REMOTE_ADDR": "203.0.113.9"}
                                         ).get_environ())
        self.client_environ = request.environ
        return self.api.dispatch(request, self, self._identity, self.auth)

    def _identity(self, service: str, method: str, *args, **kwargs):
        from ponte.errors import NotFound
        self.lookups += 1
        raise NotFound("No such link.")


@pytest.mark.parametrize("method, path, form", [
    ("GET", "/registration?token=abc", {}),
    ("GET", "/password-reset?token=abc", {}),
    ("POST", "/password-reset", {"token": "abc", "password": "x", "password_confirmation": "x"}),
    ("POST", "/registration", {"token": "abc"}),
])
def test_pages_that_look_tokens_up_count_against_the_api_limits(limits, method, path, form):
    gateway = _Gateway(limits)
    answers = [gateway.page(method, path, **form).status_code for _ in range(40)]
    assert answers[0] == 404  # the link is gone, as the API said
    assert gateway.lookups == 30  # the registration and password-reset limits: 30 a minute
    assert 404 not in answers[30:]
    other = Request(EnvironBuilder(method="GET", path="/api/v1/registrations/abc",
                                   environ_base={"REMOTE_ADDR": "198.51.100.3"}).get_environ())
    assert limits.check(other, gateway.api, gateway.auth) is None  # another client is not held
