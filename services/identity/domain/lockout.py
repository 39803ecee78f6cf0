"""Login lockout (000, API.md "Precise points"): after 5 consecutive failures for one login the
login is refused for 60 s, doubling on every further lock up to 15 minutes; a success resets it.
Unknown logins are counted like known ones, so the answers never tell them apart."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ponte.documents import normalise_document
from ponte.errors import TooManyAttempts
from ponte.tokens import digest

MAX_FAILURES = 5
FIRST_LOCK_SECONDS = 60
LONGEST_LOCK_SECONDS = 900


def login_key(login: object) -> str:
    """The key attempts are counted under: e-mails case-insensitively, documents without
    punctuation, anything else as typed; hashed to a fixed size."""
    text = login.strip() if isinstance(login, str) else repr(login)
    if "@" in text:
        text = text.lower()
    else:
        try:
            text = normalise_document(text)[0]
        except ValueError:
            text = text.lower()
    return digest(text)


@dataclass
class Throttle:
    failures: int = 0
    locks: int = 0
    locked_until: datetime | None = None

    def check(self, now: datetime) -> None:
        """Refuse the attempt while locked, saying when to try again."""
        if self.locked_until is not None and now < self.locked_until:
            wait = math.ceil((self.locked_until - now).total_seconds())
            raise TooManyAttempts("Too many failed sign-in attempts; try again later.",
                                  retry_after=max(wait, 1))

    def failed(self, now: datetime) -> None:
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.locked_until = now + timedelta(seconds=self.next_lock_seconds)
            self.locks += 1
            self.failures = 0

    def succeeded(self) -> None:
        self.failures, self.locks, self.locked_until = 0, 0, None

    @property
    def next_lock_seconds(self) -> int:
        return min(FIRST_LOCK_SECONDS * 2 ** self.locks, LONGEST_LOCK_SECONDS)
