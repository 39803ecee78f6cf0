"""Login lockout (000, API.md "Precise points"): after 5 consecutive failures for one account the
account is refused for 60 s, doubling on every further lock up to 15 minutes; a success resets it.
The lockout belongs to the account: failures by its e-mail, CPF or CNPJ count together.
Unknown logins are counted (under the login typed) like known ones, so the answers never tell
them apart.

Parallel attempts must not overtake the count (issue 7: 60 parallel wrong passwords got 25-37
checked before the first lock). An attempt therefore takes a place *before* its password is
checked, in the same locked row as the check: at most :data:`MAX_CHECKED` minus the failures
so far may be checked at once, so no more than :data:`MAX_CHECKED` passwords (API.md: "at most
10") are ever checked before the lock. An attempt that finds no free place waits briefly for
one (many people signing in to one shared site login at the same moment are not refused for
it). A place left
by a process that died while checking is given back after :data:`PENDING_EXPIRY_SECONDS`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ponte.documents import normalise_document
from ponte.emails import email_key
from ponte.errors import TooManyAttempts
from ponte.tokens import digest

MAX_FAILURES = 5
MAX_CHECKED = 10  # passwords checked before the lock, parallel attempts included (API.md)
FIRST_LOCK_SECONDS = 60
LONGEST_LOCK_SECONDS = 900
PENDING_EXPIRY_SECONDS = 60


def account_key(account_id: str) -> str:
    """The key failures are counted under when a login names an account."""
    return f"account:{account_id}"


def login_key(login: object) -> str:
    """The key attempts at an unknown login are counted under: e-mails case-insensitively,
    documents without punctuation, anything else as typed; hashed to a fixed size."""
    text = login.strip() if isinstance(login, str) else repr(login)
    if "@" in text:
        text = email_key(text)
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
    pending: int = 0  # attempts whose password is being checked

    def forget_stale(self, now: datetime, updated_at: datetime | None) -> None:
        """Places taken by attempts that never came back (their process died)."""
        if self.pending and updated_at is not None and \
                now - updated_at > timedelta(seconds=PENDING_EXPIRY_SECONDS):
            self.pending = 0

    @property
    def has_room(self) -> bool:
        """May one more password be checked now, without passing the lock's count?"""
        return self.failures < MAX_FAILURES and self.failures + self.pending < MAX_CHECKED

    def begin(self) -> None:
        self.pending += 1

    def _end(self) -> None:
        self.pending = max(self.pending - 1, 0)

    def check(self, now: datetime) -> None:
        """Refuse the attempt while locked, saying when to try again."""
        if self.locked_until is not None and now < self.locked_until:
            wait = math.ceil((self.locked_until - now).total_seconds())
            raise TooManyAttempts("Too many failed sign-in attempts; try again later.",
                                  retry_after=max(wait, 1))

    def failed(self, now: datetime) -> None:
        self._end()
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.locked_until = now + timedelta(seconds=self.next_lock_seconds)
            self.locks += 1
            self.failures = 0

    def succeeded(self) -> None:
        self._end()
        self.failures, self.locks, self.locked_until = 0, 0, None

    @property
    def next_lock_seconds(self) -> int:
        return min(FIRST_LOCK_SECONDS * 2 ** self.locks, LONGEST_LOCK_SECONDS)
