"""Authentication at the edge, without an RPC per request.

Access tokens are JWTs signed with ``PONTE_SECRET_KEY`` and verified here locally. Revocation
(logout, refresh-token reuse, password reset, profile deletion) is honoured through a list of
revoked session ids: identity broadcasts ``sessions_revoked`` and every gateway applies it at once;
a gateway that starts, or missed a broadcast while disconnected, loads the recent revocations from
identity. The bound: a revoked access token stops working as soon as the event arrives (normally
milliseconds), and in any case when it expires (``PONTE_ACCESS_TOKEN_TTL``, 10 minutes).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from nameko.extensions import DependencyProvider

from ponte.config import settings
from ponte.errors import Forbidden, Unauthenticated
from ponte.roles import ADMIN, STAFF
from ponte.tokens import AccessClaims, verify_access_token


@dataclass
class Principal:
    """Who is calling: an account, its kind, staff roles and, for provider logins, its provider."""

    claims: AccessClaims
    acting_for: dict[str, frozenset[str]] | None = field(default=None)

    @property
    def account_id(self) -> str:
        return self.claims.account_id

    @property
    def kind(self) -> str:
        return self.claims.kind

    @property
    def roles(self) -> tuple[str, ...]:
        return self.claims.roles

    @property
    def provider_id(self) -> str | None:
        return self.claims.provider_id

    def has_role(self, *roles: str) -> bool:
        """Staff roles; ``admin`` can do what every other staff role can."""
        return self.kind == STAFF and (ADMIN in self.roles or bool(set(roles) & set(self.roles)))

    def as_context(self) -> dict:
        return {"account_id": self.account_id, "kind": self.kind, "roles": list(self.roles),
                "provider_id": self.provider_id, "session_id": self.claims.session_id}


class Revocations:
    """Revoked session ids, each kept until no access token of it can still be valid."""

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._until: dict[str, float] = {}

    def revoke(self, session_ids: list[str]) -> None:
        until = time.time() + self.ttl + 60
        for session_id in session_ids:
            self._until[session_id] = until
        if len(self._until) > 10_000:
            now = time.time()
            self._until = {sid: t for sid, t in self._until.items() if t > now}

    def __contains__(self, session_id: str) -> bool:
        return session_id in self._until


class EdgeAuth(DependencyProvider):
    """Container-wide: the signing secret and the revocation list."""

    def setup(self) -> None:
        config = settings()
        self.secret = config.secret_key
        self.revocations = Revocations(config.access_token_ttl)
        self.synced = False

    def get_dependency(self, worker_ctx) -> EdgeAuth:  # noqa: ANN001
        return self

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated("Send an access token: Authorization: Bearer <token>.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Send an access token: Authorization: Bearer <token>.")
        claims = verify_access_token(token.strip(), self.secret)
        if claims.session_id in self.revocations:
            raise Unauthenticated("This session has ended; sign in again.")
        return Principal(claims)


def require_kind(principal: Principal, kinds: tuple[str, ...], roles: tuple[str, ...]) -> None:
    """Route-level check: the caller's account kind or staff role must be one of those named."""
    if not kinds and not roles:
        return
    if principal.kind in kinds or (roles and principal.has_role(*roles)):
        return
    raise Forbidden("Your account may not use this endpoint.")
