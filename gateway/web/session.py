"""The portal's session (PORTAL.md principle 3, the backend-for-frontend pattern): the access
and refresh tokens never reach the browser's script.

The session is an encrypted cookie: the tokens, who the person is and the per-session
anti-forgery token, sealed with AES-256-GCM under a key derived from ``PONTE_SECRET_KEY``. The
browser holds only ciphertext it cannot read or alter, so the store needs no table and every
gateway process of a deployment (they share ``PONTE_SECRET_KEY``) opens it alike, in the
all-in-one mode as with several gateways.

The cookie is ``HttpOnly``, ``SameSite=Lax``, ``Path=/``; when the public URL is https it is
also ``Secure`` and named ``__Host-ponte_session``. "Mantenha-me conectado" makes it persistent
for the refresh token's lifetime (``PONTE_REMEMBER_ME_TTL``); otherwise it is a session cookie,
gone with the browser. "Sair" revokes the tokens at the API, so the cookie, replayed later,
holds tokens that open nothing.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ponte.config import settings

VERSION = 1
NONCE_BYTES = 12
REFRESH_MARGIN = 30  # seconds before the access token expires that it is renewed


@dataclass
class Session:
    """One signed-in person in a browser."""

    access_token: str
    refresh_token: str
    access_expires: float  # epoch seconds
    account_id: str
    kind: str
    name: str
    remember: bool = False
    acting_for: str | None = None  # the provider a secretary acts for
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @classmethod
    def from_tokens(cls, answer: dict, remember: bool) -> Session:
        """A session from ``POST /api/v1/sessions``'s answer."""
        account = answer["account"]
        return cls(access_token=answer["access_token"], refresh_token=answer["refresh_token"],
                   access_expires=time.time() + int(answer["expires_in"]),
                   account_id=account["id"], kind=account["kind"],
                   name=account.get("name") or account.get("email") or "", remember=remember)

    def renewed(self, answer: dict) -> None:
        """The tokens of ``POST /api/v1/sessions/refresh``'s answer; the rest is kept."""
        self.access_token = answer["access_token"]
        self.refresh_token = answer["refresh_token"]
        self.access_expires = time.time() + int(answer["expires_in"])

    @property
    def access_expired(self) -> bool:
        return time.time() >= self.access_expires - REFRESH_MARGIN


def _key() -> bytes:
    return hashlib.sha256(b"ponte web session\x00" + settings().secret_key.encode()).digest()


def seal(session: Session) -> str:
    """The cookie value: version, nonce and AES-GCM ciphertext, URL-safe base64."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps(asdict(session), separators=(",", ":")).encode()
    sealed = AESGCM(_key()).encrypt(nonce, plain, bytes([VERSION]))
    return base64.urlsafe_b64encode(bytes([VERSION]) + nonce + sealed).decode().rstrip("=")


def unseal(value: str | None) -> Session | None:
    """The session in a cookie value; ``None`` for anything forged, altered or unreadable."""
    if not value or len(value) > 4096:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        if raw[0] != VERSION:
            return None
        plain = AESGCM(_key()).decrypt(raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:],
                                       bytes([VERSION]))
        return Session(**json.loads(plain))
    except (ValueError, IndexError, TypeError, InvalidTag, KeyError):
        return None


def secure_cookies() -> bool:
    """Whether the portal is served over https (the public URL says so)."""
    return settings().public_url.startswith("https://")


def cookie_name() -> str:
    return "__Host-ponte_session" if secure_cookies() else "ponte_session"


def cookie_options(session: Session | None) -> dict[str, Any]:
    """``Response.set_cookie`` options: persistent only with "Mantenha-me conectado"."""
    options: dict[str, Any] = {"httponly": True, "samesite": "Lax", "path": "/",
                               "secure": secure_cookies()}
    if session is not None and session.remember:
        options["max_age"] = settings().remember_me_ttl
    return options
