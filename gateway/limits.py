"""Rate limits at the gateway (SPEC "Gateway"; API.md 429 with ``Retry-After``).

Public endpoints that anyone can call (sign-in, refresh, registration, password reset) are
limited per client address; every authenticated state-changing request per account. Each
limit is a token bucket refilled over a minute: ``PONTE_RATE_LIMIT_<NAME>`` requests a minute
(see ``ponte.config.RATE_LIMITS``), multiplied by ``PONTE_RATE_LIMIT_FACTOR``.

The bound: buckets live in each gateway process. With N gateway replicas behind a balancer a
client gets at most N times a limit; the limits that protect something for good do not depend
on this (the login lockout and the e-mails per address are counted in identity's database).

The web pages reach these routes through the route table (``gateway.pages.routes.forward``):
:meth:`gateway.api.Api.dispatch` checks the limits of every request it dispatches, a forwarded
one too, counted against the address of the client whose page made it. A page is therefore
limited exactly as the API calls behind it (a registration form sent costs its two calls).

The client address is the peer's, unless the peer is one of ``PONTE_TRUSTED_PROXIES``: then it
is the last ``X-Forwarded-For`` hop that is not itself a trusted proxy.
"""
from __future__ import annotations

import ipaddress
import math
import time
from typing import Any

from nameko.extensions import DependencyProvider
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from gateway.metrics import HTTP_REQUESTS
from gateway.problems import problem_response
from ponte.config import settings
from ponte.errors import PonteError, TooManyAttempts

WINDOW_SECONDS = 60.0
MAX_BUCKETS = 100_000  # beyond this, buckets that have refilled are forgotten

PUBLIC = {
    ("POST", "/api/v1/sessions"): "sign_in",
    ("POST", "/api/v1/sessions/refresh"): "refresh",
    ("POST", "/api/v1/secretaries"): "registration",
    ("POST", "/api/v1/citizens"): "registration",
    ("GET", "/api/v1/registrations/{token}"): "registration",
    ("POST", "/api/v1/registrations/{token}"): "registration",
    ("POST", "/api/v1/password-resets"): "password_reset",
    ("POST", "/api/v1/password-resets/{token}"): "password_reset",
}
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _within(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(environ: dict, trusted: tuple[Network, ...]) -> str:
    """The peer, or behind trusted proxies the nearest forwarded hop they did not add."""
    peer = environ.get("REMOTE_ADDR", "")
    if not _within(peer, trusted):
        return peer
    hops = [hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _within(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a proxy forwarded garbage: count it against the proxy
    return peer


class Buckets:
    """Token buckets: ``limit`` requests, refilled evenly over :data:`WINDOW_SECONDS`."""

    def __init__(self) -> None:
        self._state: dict[tuple[str, str], tuple[float, float]] = {}

    def take(self, name: str, key: str, limit: int, now: float | None = None) -> float:
        """0 when the request may go ahead (and is counted), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        rate = limit / WINDOW_SECONDS
        tokens, since = self._state.get((name, key), (float(limit), now))
        tokens = min(float(limit), tokens + (now - since) * rate)
        if tokens < 1:
            self._state[(name, key)] = (tokens, now)
            return (1 - tokens) / rate
        self._state[(name, key)] = (tokens - 1, now)
        if len(self._state) > MAX_BUCKETS:
            self._forget_full(now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        self._state = {key: (tokens, since) for key, (tokens, since) in self._state.items()
                       if now - since < WINDOW_SECONDS}


class Limits(DependencyProvider):
    """Container-wide buckets; ``check`` answers 429 for a request over its limit."""

    def setup(self) -> None:
        self.buckets = Buckets()
        self.trusted = networks(settings().trusted_proxies)

    def get_dependency(self, worker_ctx: Any) -> Limits:
        return self

    def check(self, request: Request, api: Any, auth: Any,
              client: dict | None = None) -> Response | None:
        """A 429 for a request over its limit, else None (and the request is counted).
        ``client`` is the WSGI environ of the client's own request when ``request`` is one the
        gateway makes on its behalf (a page calling the API)."""
        try:
            route, _params = api.url_map.bind_to_environ(request.environ).match()
        except HTTPException:
            return None  # the route table answers it
        if route.public:
            name = PUBLIC.get((route.method, route.path))
            key = client_address(client or request.environ, self.trusted)
        elif route.method in WRITES:
            try:
                principal = auth.authenticate(request.headers.get("Authorization"))
            except PonteError:
                return None  # 401 from the route table
            name, key = "account_writes", principal.account_id
        else:
            return None
        if name is None:
            return None
        wait = self.buckets.take(name, key, settings().rate_limit(name))
        if not wait:
            return None
        HTTP_REQUESTS.labels(request.method, route.path, "429").inc()
        seconds = max(1, math.ceil(wait))
        return problem_response(TooManyAttempts(
            f"Too many requests; try again in {seconds} seconds.", retry_after=seconds))
