"""Access tokens (signed JWTs verified at the edge without a round trip) and opaque secrets
(refresh tokens, e-mailed links) stored only as hashes."""
from __future__ import annotations

import functools
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass, field

import jwt

from ponte.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "ponte"


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    kind: str
    session_id: str
    issued_at: int
    expires_at: int
    roles: tuple[str, ...] = ()
    provider_id: str | None = None
    token_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def issue_access_token(claims: AccessClaims, secret: str) -> str:
    payload = {"iss": ISSUER, "sub": claims.account_id, "knd": claims.kind,
               "sid": claims.session_id, "iat": claims.issued_at, "exp": claims.expires_at,
               "rol": list(claims.roles), "jti": claims.token_id}
    if claims.provider_id:
        payload["prv"] = claims.provider_id
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def new_access_claims(account_id: str, kind: str, session_id: str, ttl: int,
                      roles: list[str] | tuple[str, ...] = (),
                      provider_id: str | None = None) -> AccessClaims:
    now = int(time.time())
    return AccessClaims(account_id=account_id, kind=kind, session_id=session_id, issued_at=now,
                        expires_at=now + ttl, roles=tuple(roles), provider_id=provider_id)


def verify_access_token(token: str, secret: str) -> AccessClaims:
    """The claims of a valid, unexpired access token; else Unauthenticated. A token's signature
    and claims are checked once (HMAC and JSON decoding are most of an authenticated request's
    own CPU); its expiry is checked at every use."""
    claims = _verified(token, secret)
    if claims.expires_at <= time.time():
        raise Unauthenticated("The access token has expired.")
    return claims


@functools.lru_cache(maxsize=4096)  # failures raise, so only valid tokens are remembered
def _verified(token: str, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                             options={"require": ["exp", "iat", "sub", "sid"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The access token has expired.") from None
    except jwt.PyJWTError:
        raise Unauthenticated("The access token is not valid.") from None
    roles = payload.get("rol", [])
    strings = (payload["sub"], payload["sid"], payload.get("knd", ""))
    if not (isinstance(roles, list) and all(isinstance(v, str) for v in (*strings, *roles))
            and isinstance(payload.get("prv") or "", str)):
        raise Unauthenticated("The access token is not valid.")
    return AccessClaims(account_id=payload["sub"], kind=payload.get("knd", ""),
                        session_id=payload["sid"], issued_at=payload["iat"],
                        expires_at=payload["exp"], roles=tuple(roles),
                        provider_id=payload.get("prv"), token_id=str(payload.get("jti", "")))


def new_secret(nbytes: int = 32) -> str:
    """An unguessable URL-safe token for links and refresh tokens."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """What is stored instead of a token: its SHA-256 (tokens are random, so no salt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
