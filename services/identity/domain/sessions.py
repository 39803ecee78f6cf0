"""Sessions and refresh tokens. A refresh token is ``<session_id>.<secret>``; only its digest is
stored. Each refresh retires the token presented and issues the next one; presenting a retired
token of a live session means it was copied, so the whole session ends (API.md "Precise points")."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from ponte.tokens import digest, new_secret

_SESSION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class RefreshToken:
    session_id: str
    secret: str

    @classmethod
    def issue(cls, session_id: str) -> RefreshToken:
        return cls(session_id, new_secret())

    @classmethod
    def parse(cls, value: object) -> RefreshToken | None:
        if not isinstance(value, str) or len(value) > 200:
            return None
        session_id, _, secret = value.strip().partition(".")
        if not _SESSION_ID.fullmatch(session_id) or not secret:
            return None
        return cls(session_id, secret)

    @property
    def digest(self) -> str:
        return digest(str(self))

    def __str__(self) -> str:
        return f"{self.session_id}.{self.secret}"


class Refresh(enum.Enum):
    ROTATE = "rotate"
    REUSED = "reused"
    INVALID = "invalid"


def judge_refresh(token_known: bool, token_retired: bool, session_revoked: bool,
                  session_expires_at: datetime | None, account_active: bool,
                  now: datetime) -> Refresh:
    """What presenting a refresh token leads to."""
    if not token_known or session_expires_at is None or session_revoked:
        return Refresh.INVALID
    if session_expires_at <= now or not account_active:
        return Refresh.INVALID
    return Refresh.REUSED if token_retired else Refresh.ROTATE


def session_ttl(remember_me: bool, refresh_ttl: int, remember_me_ttl: int) -> int:
    """"Keep me signed in" gives the longer-lived refresh token (000)."""
    return remember_me_ttl if remember_me else refresh_ttl
