"""E-mail as the notifications service sees it, free of any framework.

An event that concerns a person queues an :class:`Email`. Delivery makes attempts; each one is
recorded, a failed one is retried after a growing wait, and after :data:`MAX_ATTEMPTS` the e-mail
is given up as failed (SPEC, Notifications: "sent over SMTP, retried with backoff on failure, and
every attempt is logged").

    email: pending → sent | retrying → ... → sent | failed

``pending`` has never been tried; ``retrying`` failed at least once and waits for
``next_attempt_at``; ``failed`` was given up, with ``last_error`` saying why.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ponte.contracts.notifications import FAILED, PENDING, RETRYING, SENT

OPEN = (PENDING, RETRYING)  # still to be attempted
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 5 s, 10 s, 20 s ... at most 10 minutes."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass(frozen=True)
class Message:
    """What an e-mail says and to whom, in one language."""

    recipient: str
    subject: str
    text: str
    html: str | None
    locale: str
    token: str | None = None
    """The token of the link it carries, for tooling (``X-Ponte-Token``)."""


@dataclass(frozen=True)
class Attempt:
    """One try at handing an e-mail over; ``retry_at`` is set when another try is scheduled."""

    email_id: str
    number: int
    at: datetime
    outcome: str  # sent | failed
    error: str | None = None
    retry_at: datetime | None = None


class NotFailed(Exception):
    """Only an e-mail given up as failed can be sent again by hand."""


class NotQueued(Exception):
    """Only a pending or retrying e-mail can be attempted."""


@dataclass
class Email:
    id: str
    event_id: str
    notification_type: str
    recipient: str
    locale: str
    subject: str
    text: str
    html: str | None
    created_at: datetime
    status: str = PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    correlation_id: str | None = None
    token: str | None = None

    @classmethod
    def queue(cls, message: Message, event_id: str, notification_type: str, now: datetime,
              correlation_id: str | None = None) -> Email:
        return cls(id=str(uuid.uuid4()), event_id=event_id, notification_type=notification_type,
                   recipient=message.recipient, locale=message.locale, subject=message.subject,
                   text=message.text, html=message.html, created_at=now, next_attempt_at=now,
                   correlation_id=correlation_id, token=message.token)

    def record(self, now: datetime, error: str | None = None) -> Attempt:
        """Count an attempt that succeeded (``error`` None) or failed, and decide what follows."""
        if self.status not in OPEN:
            raise NotQueued(f"e-mail {self.id} is {self.status}")
        self.attempts += 1
        if error is None:
            self.status, self.sent_at, self.next_attempt_at, self.last_error = SENT, now, None, None
            return Attempt(self.id, self.attempts, now, SENT)
        self.last_error = error
        if self.attempts >= MAX_ATTEMPTS:
            self.status, self.next_attempt_at = FAILED, None
        else:
            self.status, self.next_attempt_at = RETRYING, now + backoff(self.attempts)
        return Attempt(self.id, self.attempts, now, FAILED, error, self.next_attempt_at)

    def retry(self, now: datetime) -> None:
        """An operator sends a failed e-mail again (after a long outage, say): it is attempted
        once more at once, and given up again if that attempt fails too."""
        if self.status != FAILED:
            raise NotFailed(f"e-mail {self.id} is {self.status}")
        self.status, self.next_attempt_at = RETRYING, now
