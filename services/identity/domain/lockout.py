"""Login lockout (000, API.md "Precise points"): after 5 consecutive failures for one account the
account is refused for 60 s, doubling on every further lock up to 15 minutes; a success resets it.
The lockout belongs to the account: failures by its e-mail, CPF or CNPJ count together.
Unknown logins are counted (under the login typed) like known ones, so the answers never tell
them apart.

Every attempt is counted as a failure *before* its password is checked, in the same locked
row as the check, and a success then resets the count: parallel attempts cannot all pass the
check before the first failure is recorded, so at most :data:`MAX_FAILURES` passwords are ever
checked before the lock."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ponte.documents import normalise_document
from ponte.emails import email_key
from ponte.errors import TooManyAttempts
from ponte.tokens import digest

MAX_FAILURES = 5
FIRST_LOCK_SECONDS = 60
LONGEST_LOCK_SECONDS = 900


def account_key(account_id: str) -> str:
    """The key failures are counted under when a login names an account."""
    return f"account:{account_id}"


def login_key(login: object) -> str:
    """The key attempts at an unknown login are counted under: e-mails case-insensitively, documents without
    punctuation, anything else as typed; hashed to a fixed size."""
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

    def check(self, now: datetime) -> None:
        """Refuse the attempt while locked, saying when to try again."""
        if self.locked_until is not None and now < self.locked_until:
            wait = math.ceil((self.locked_until - now).total_seconds())
            raise TooManyAttempts("Too many failed sign-in attempts; try again later.",
                                  retry_after=max(wait, 1))

    def attempted(self, now: datetime) -> None:
        """An attempt let through: counted as a failure until it proves to be a success."""
        self.failed(now)

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
