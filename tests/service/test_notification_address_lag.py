"""An event of another service that reaches notifications before identity's event about its
recipient still ends in one e-mail: the handler fails while the address is unknown and its retry
sends it (found by bench/chaos.py: after notifications restarted under load, citizens got their
inbox items but no e-mail about their service requests). After ADDRESS_ATTEMPTS failed attempts
the inbox item goes out without the e-mail rather than being parked."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ponte.messaging import event_failures
from services.notifications.domain.incoming import Incoming
from services.notifications.models import emails, notifications
from services.notifications.usecases.notices import ADDRESS_ATTEMPTS, AddressNotYetKnown, take
from services.notifications.usecases.read_models import apply_identity
from tests.service.notifications_context import keep, run

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def sessions(service_database):
    return service_database("notifications")


def count(sessions, table) -> int:
    with sessions() as session:
        return session.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def submitted(occurred_at: datetime) -> Incoming:
    return Incoming("evt-sr-1", "attendance", "service_request_submitted",
                    occurred_at.isoformat().replace("+00:00", "Z"),
                    {"protocol": "20261201000001", "service_name": "Segunda via",
                     "institution_name": "Secretaria", "citizen_name": "Cida",
                     "link": "/api/v1/service-requests/sr-1",
                     "audience": {"accounts": ["citizen-1"]}})


def registered() -> Incoming:
    return Incoming("evt-reg-1", "identity", "citizen_registered", "2026-12-01T14:59:00Z",
                    {"account_id": "citizen-1", "email": "cida@ponte.test", "name": "Cida",
                     "locale": "pt-BR"})


def test_the_email_waits_for_the_address_then_goes_once(sessions):
    event = submitted(NOW - timedelta(seconds=2))
    with pytest.raises(AddressNotYetKnown):
        run(sessions, NOW, take, event)
    assert count(sessions, notifications) == count(sessions, emails) == 0  # rolled back
    keep(sessions, NOW, apply_identity, registered())
    run(sessions, NOW + timedelta(seconds=1), take, event)
    assert count(sessions, notifications) == 1
    with sessions() as session:
        assert session.execute(sa.select(emails.c.recipient)).scalars().all() == [
            "cida@ponte.test"]


def test_after_six_failed_attempts_the_items_go_without_the_email(sessions):
    event = submitted(NOW - timedelta(minutes=5))  # waited in the queue: no matter
    with pytest.raises(AddressNotYetKnown):
        run(sessions, NOW, take, event)
    with sessions() as session, session.begin():
        session.execute(event_failures.insert().values(
            event_id=event.id, handler="handle_service_request_submitted", envelope={},
            attempts=ADDRESS_ATTEMPTS, status="retrying", last_error="no address",
            next_attempt_at=NOW, created_at=NOW))
    run(sessions, NOW, take, event)
    assert count(sessions, notifications) == 1 and count(sessions, emails) == 0
