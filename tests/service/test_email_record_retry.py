"""An e-mail the SMTP server accepted while the database was away is recorded once the database
is back, not sent again after its lease (found by the fault scenario, bench/chaos.py: with
PostgreSQL refusing connections for a few seconds under load, an e-mail went out twice)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import sessionmaker

from ponte import later
from ponte.db import create_engine_for, utcnow
from services.notifications import delivery, models
from services.notifications.domain.email import Email, Message
from services.notifications.repository import EmailRepository


class Transport:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, email, message) -> None:  # noqa: ANN001
        self.sent.append(email.id)


class FlakyDatabase:
    """A session factory whose first ``failures`` sessions cannot reach the server."""

    def __init__(self, sessions: sessionmaker, failures: int) -> None:
        self.sessions, self.failures = sessions, failures

    def __call__(self):  # noqa: ANN204
        if self.failures:
            self.failures -= 1
            raise sa_exc.OperationalError("UPDATE emails", {},
                                          Exception("server closed the connection"))
        return self.sessions()


def one_claimed(engine: sa.Engine) -> tuple[sessionmaker, Email]:
    """A fresh e-mail table on ``engine`` with one e-mail queued and claimed."""
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    sessions = sessionmaker(engine)
    message = Message("cida@ponte.test", "Bem-vinda", "Olá", None, "pt-BR")
    with sessions() as session, session.begin():
        EmailRepository(session).add(Email.queue(message, "event-1", "identity.x", utcnow()))
    with sessions() as session, session.begin():
        [claimed] = EmailRepository(session).claim_due(utcnow(), delivery.LEASE, 10)
    return sessions, claimed


def test_a_sent_email_is_recorded_after_the_database_returns_and_not_sent_again(
        tmp_path, monkeypatch):
    monkeypatch.setattr(delivery.eventlet, "sleep", lambda seconds: None)
    engine = sa.create_engine(f"sqlite:///{tmp_path}/notifications.db")
    sessions, claimed = one_claimed(engine)

    transport = Transport()
    attempt = delivery.deliver(claimed, FlakyDatabase(sessions, failures=3), transport,
                               "ponte@ponte.test")

    assert attempt.outcome == "sent" and transport.sent == [claimed.id]
    with sessions() as session:
        assert EmailRepository(session).get(claimed.id).status == "sent"
        after_lease = utcnow() + delivery.LEASE + timedelta(seconds=1)
        assert EmailRepository(session).claim_due(after_lease, delivery.LEASE, 10) == []
    engine.dispose()


def test_an_attempt_is_recorded_in_two_round_trips_on_postgresql(postgres_databases,
                                                                 monkeypatch):
    """The e-mail's new state (its row count says whether this replica recorded the attempt)
    with the transaction's BEGIN, and the attempt's row with the COMMIT (``ponte.later``)."""
    engine = create_engine_for("emailrecord")
    sessions, claimed = one_claimed(engine)
    sent: list[str] = []
    sa.event.listen(engine, "after_cursor_execute",
                    lambda _conn, cursor, *_: sent.append(cursor.query.decode()))
    send = later._send
    monkeypatch.setattr(later, "_send", lambda connection, text: (
        sent.append(text.decode()), send(connection, text)))

    delivery.deliver(claimed, sessions, Transport(), "ponte@ponte.test")

    assert len(sent) == 2
    assert sent[0].startswith("BEGIN;UPDATE emails")
    assert sent[1].startswith("INSERT INTO email_attempts") and sent[1].endswith(";COMMIT")
    with sessions() as session:
        assert [a.outcome for a in EmailRepository(session).attempts(claimed.id)] == ["sent"]
    engine.dispose()
