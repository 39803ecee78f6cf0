"""An e-mail the SMTP server accepted while the database was away is recorded once the database
is back, not sent again after its lease (found by the fault scenario, bench/chaos.py: with
PostgreSQL refusing connections for a few seconds under load, an e-mail went out twice)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import sessionmaker

from ponte.db import utcnow
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


def test_a_sent_email_is_recorded_after_the_database_returns_and_not_sent_again(
        tmp_path, monkeypatch):
    monkeypatch.setattr(delivery.eventlet, "sleep", lambda seconds: None)
    engine = sa.create_engine(f"sqlite:///{tmp_path}/notifications.db")
    models.metadata.create_all(engine)
    sessions = sessionmaker(engine)
    message = Message("cida@ponte.test", "Bem-vinda", "Olá", None, "pt-BR")
    with sessions() as session, session.begin():
        EmailRepository(session).add(Email.queue(message, "event-1", "identity.x", utcnow()))
    with sessions() as session, session.begin():
        [claimed] = EmailRepository(session).claim_due(utcnow(), delivery.LEASE, 10)

    transport = Transport()
    attempt = delivery.deliver(claimed, FlakyDatabase(sessions, failures=3), transport,
                               "ponte@ponte.test")

    assert attempt.outcome == "sent" and transport.sent == [claimed.id]
    with sessions() as session:
        assert EmailRepository(session).get(claimed.id).status == "sent"
        later = utcnow() + delivery.LEASE + timedelta(seconds=1)
        assert EmailRepository(session).claim_due(later, delivery.LEASE, 10) == []
    engine.dispose()
