"""Delivering queued e-mails: a loop in every notifications container claims the e-mails that
are due (a batch), hands each to the transport over one connection for the batch and records
each attempt as soon as it is made (status, backoff: ``domain``).

The loop wakes when a handler has queued an e-mail (and lets the others of a burst be queued,
:data:`GATHER_SECONDS`, before it claims) and otherwise polls for retries that fall due.
Claims are leased rows taken with ``FOR UPDATE SKIP LOCKED``, so replicas on PostgreSQL never
send the same e-mail at once; SQLite runs in one process.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import eventlet
from nameko.extensions import DependencyProvider
from prometheus_client import Counter
from sqlalchemy.orm import sessionmaker

from ponte import logs
from ponte.config import settings
from ponte.db import Database, utcnow
from ponte.errors import DATABASE_AWAY
from services.notifications.domain.email import FAILED, SENT, Attempt, Email
from services.notifications.emails import as_mime
from services.notifications.repository import EmailRepository
from services.notifications.transports import (
    SMTP_TIMEOUT_SECONDS,
    Connection,
    Transport,
    transport_for,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
GATHER_SECONDS = 0.1
"""After a wake, how long the loop lets more e-mails be queued before it claims: a burst of
events' e-mails is one claim (and one SMTP connection) instead of one each (issue 21)."""
LEASE = timedelta(minutes=2)  # longer than any SMTP conversation (timeouts of 20 s)
BATCH = 20
STOP_GRACE_SECONDS = SMTP_TIMEOUT_SECONDS + 5
# How long a handed-over e-mail's record is retried while the database is away, well inside the
# lease: given up, the row stays leased and the e-mail is sent again when the lease runs out.
RECORD_PATIENCE_SECONDS = LEASE.total_seconds() / 2

EMAIL_ATTEMPTS = Counter("ponte_email_attempts_total", "E-mail delivery attempts",
                         ["notification_type", "outcome"])


def deliver(email: Email, sessions: sessionmaker, connection: Connection,
            sender: str) -> Attempt:
    """One attempt at a claimed e-mail, recorded in ``email_attempts`` and in the log before
    the next e-mail is handed over."""
    try:
        connection.send(email, as_mime(email, sender))
        error = None
    except Exception as exc:  # noqa: BLE001  whatever the transport raised, this attempt failed
        error = f"{type(exc).__name__}: {exc}"[:2000]
    attempt = email.record(utcnow(), error)
    recorded = _record(email, attempt, sessions)
    EMAIL_ATTEMPTS.labels(email.notification_type, attempt.outcome).inc()
    details = {"email_id": email.id, "notification_type": email.notification_type,
               "attempt": attempt.number, "outcome": attempt.outcome, "status": email.status,
               "error": attempt.error,
               "retry_at": attempt.retry_at.isoformat() if attempt.retry_at else None}
    if not recorded:
        log.warning("e-mail attempt already recorded by another replica", extra=details)
    elif email.status == SENT:
        log.info("e-mail sent", extra=details)
    elif email.status == FAILED:
        log.error("e-mail given up after %d attempts", attempt.number, extra=details)
    else:
        log.warning("e-mail attempt failed; will retry", extra=details)
    return attempt


def _record(email: Email, attempt: Attempt, sessions: sessionmaker) -> bool:
    """Save the attempt, retrying while the database is unreachable: the SMTP server already
    has the message, and an attempt left unrecorded means the same e-mail again after the lease
    (found by the fault scenario, bench/chaos.py: a PostgreSQL outage sent e-mails twice)."""
    give_up, wait = time.monotonic() + RECORD_PATIENCE_SECONDS, 0.2
    while True:
        try:
            with sessions() as session, session.begin():
                return EmailRepository(session).record(email, attempt)
        except DATABASE_AWAY as exc:
            if time.monotonic() + wait > give_up:
                raise
            log.warning("recording an e-mail attempt failed (%s); trying again",
                        type(exc.orig).__name__ if exc.orig else exc,
                        extra={"email_id": email.id, "outcome": attempt.outcome})
            eventlet.sleep(wait)
            wait = min(wait * 2, 5.0)


def deliver_due(sessions: sessionmaker, transport: Transport, sender: str) -> int:
    """Claim the due e-mails (at most ``BATCH``) and attempt each, over one connection; the
    number claimed."""
    with sessions() as session, session.begin():
        claimed = EmailRepository(session).claim_due(utcnow(), LEASE, BATCH)
    if not claimed:
        return 0
    with transport.connect() as connection:
        for email in claimed:
            logs.set_correlation_id(email.correlation_id)
            try:
                deliver(email, sessions, connection, sender)
            finally:
                logs.set_correlation_id(None)
    return len(claimed)


class Delivery(DependencyProvider):
    """Runs the delivery loop in a managed thread; workers get it to :meth:`wake` the loop after
    they have committed a queued e-mail."""

    def setup(self) -> None:
        config = settings()
        self.transport = transport_for(config.smtp_url, config.data_dir)
        self.sender = config.mail_from
        self._wake = threading.Event()
        self._running = False
        self._thread: eventlet.greenthread.GreenThread | None = None

    def start(self) -> None:
        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        self._sessions = database.sessions
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._run,
                                                           identifier="notifications:delivery")

    def stop(self) -> None:
        """Let an attempt under way finish and be recorded, within a few seconds."""
        self._running = False
        self._wake.set()
        if self._thread is not None:
            with eventlet.Timeout(STOP_GRACE_SECONDS, False):
                self._thread.wait()
            self._thread = None

    def kill(self) -> None:
        self._running = False
        self._wake.set()

    def get_dependency(self, worker_ctx) -> Delivery:  # noqa: ANN001
        return self

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        log.info("delivering e-mails to %s", self.transport)
        while self._running:
            self._wake.clear()
            try:
                claimed = BATCH
                while self._running and claimed == BATCH:
                    claimed = deliver_due(self._sessions, self.transport, self.sender)
            except Exception:
                log.exception("e-mail delivery failed; trying again")
            if self._wake.wait(POLL_SECONDS) and self._running:
                eventlet.sleep(GATHER_SECONDS)
