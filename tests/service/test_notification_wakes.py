"""The e-mail delivery pass is woken by an event only when that event queued an e-mail, and
only after its unit committed, and a burst of them is claimed at once (issue 21): most events
of a write queue none."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import eventlet
import pytest
import sqlalchemy as sa

from services.notifications import delivery
from services.notifications.domain.incoming import Incoming
from services.notifications.models import emails
from services.notifications.usecases import notices
from services.notifications.usecases.read_models import apply_identity
from tests.service.notifications_context import keep, run

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def sessions(service_database):
    sessions = service_database("notifications")
    keep(sessions, NOW, apply_identity, Incoming(
        "reg-1", "identity", "provider_registered", "2026-12-07T09:00:00Z",
        {"provider_id": "p-1", "site_id": "s", "account_id": "login-1", "email": "l@p.test",
         "name": "Clínica", "provider_type": "clinic", "locale": "pt-BR"}))
    return sessions


def denied(event_id: str, **audience) -> Incoming:
    return Incoming(event_id, "authorizations", "request_denied", "2026-12-07T09:30:00Z",
                    {"number": "00000001", "justification": "Sem laudo", "audience": audience})


def test_an_event_that_queues_an_e_mail_wakes_the_delivery_after_its_commit(sessions):
    seen: list[int] = []

    def wake() -> None:
        with sessions() as session:  # the e-mail is already there to be found
            seen.append(session.execute(sa.select(sa.func.count()).select_from(emails))
                        .scalar_one())
    run(sessions, NOW, notices.take, denied("e-1", provider={"id": "p-1", "roles": []}), None,
        wake)
    assert seen == [1]


def test_an_event_that_queues_none_does_not(sessions):
    """The clinic's own submission: its only login is the actor, so nobody is told."""
    woken: list[bool] = []
    event = denied("e-2", provider={"id": "p-1", "roles": []})
    event = Incoming(event.id, event.source, event.type, event.occurred_at,
                     {**event.data, "actor_account_id": "login-1"})
    told, _ = run(sessions, NOW, notices.take, event, None, lambda: woken.append(True))
    assert told == [] and woken == []


def test_a_burst_of_queued_e_mails_is_claimed_once(monkeypatch):
    """Five wakes 10 ms apart (five events that each queued an e-mail) make one claim, not
    five: the loop lets a burst be queued before it claims (issue 21)."""
    claims: list[float] = []
    monkeypatch.setattr(delivery, "deliver_due", lambda *_: claims.append(time.monotonic()) or 0)
    loop = delivery.Delivery()
    loop.transport, loop.sender, loop._sessions = None, "ponte@test", None
    loop._wake, loop._running = threading.Event(), True
    running = eventlet.spawn(loop._run)
    eventlet.sleep(0.05)  # the first pass, at start
    assert len(claims) == 1
    for _ in range(5):
        loop.wake()
        eventlet.sleep(0.01)
    eventlet.sleep(delivery.GATHER_SECONDS + 0.1)
    loop.kill()
    running.wait()
    assert len(claims) == 2
