"""The notifications use cases on a migrated SQLite database, without a broker: an event told
twice adds nothing, stream tickets are single use and expire, preferences round-trip, bulletins
reach the providers of the targeted types."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ponte.db import Transaction
from ponte.errors import Forbidden, InvalidInput, Unauthenticated
from services.notifications import usecases
from services.notifications.models import emails, notifications
from services.notifications.repository import Directory, Inbox
from services.notifications.usecases import Context, Incoming

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
CONTEXT = Context(public_url="https://ponte.example")


@pytest.fixture
def sessions(service_database):
    return service_database("notifications")


def run(sessions, work):
    with sessions() as session, session.begin():
        tx = Transaction(session, "notifications")
        result = work(tx)
    return result, tx.events


def provider(sessions, account: str, provider_id: str, provider_type: str) -> None:
    event = Incoming(f"reg-{account}", "identity", "provider_registered",
                     "2026-12-01T12:00:00Z",
                     {"provider_id": provider_id, "site_id": "s", "account_id": account,
                      "email": f"{account}@p.test", "name": provider_id,
                      "provider_type": provider_type, "locale": "pt-BR"})
    run(sessions, lambda tx: usecases.apply_identity(Directory(tx.session), event, NOW))


def test_an_event_told_twice_adds_no_item_email_or_broadcast(sessions):
    provider(sessions, "login-1", "p-1", "clinic")
    event = Incoming("evt-1", "authorizations", "request_denied", "2026-12-01T12:00:00Z",
                     {"number": "00000001", "justification": "Sem laudo",
                      "audience": {"provider": {"id": "p-1", "roles": []}}})
    created, published = run(sessions, lambda tx: usecases.notify(tx, event, CONTEXT, NOW))
    assert [c["account_id"] for c in created] == ["login-1"]
    assert [e["event_type"] for e in published] == ["notifications_created"]
    again, published = run(sessions, lambda tx: usecases.notify(tx, event, CONTEXT, NOW))
    assert again == [] and published == []
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(notifications)).scalar() == 1
        assert session.execute(sa.select(sa.func.count()).select_from(emails)).scalar() == 1


def test_stream_tickets_are_single_use_and_expire(sessions):
    caller = {"account_id": "a-1", "kind": "citizen", "session_id": "s-1"}
    issued, _ = run(sessions, lambda tx: usecases.issue_ticket(Inbox(tx.session), caller, NOW))
    assert issued["expires_in"] <= 60
    redeemed, _ = run(sessions, lambda tx: usecases.redeem_ticket(
        Inbox(tx.session), issued["ticket"], NOW + timedelta(seconds=5)))
    assert redeemed == caller
    with pytest.raises(Unauthenticated):
        run(sessions, lambda tx: usecases.redeem_ticket(Inbox(tx.session), issued["ticket"],
                                                        NOW + timedelta(seconds=6)))
    late, _ = run(sessions, lambda tx: usecases.issue_ticket(Inbox(tx.session), caller, NOW))
    with pytest.raises(Unauthenticated):
        run(sessions, lambda tx: usecases.redeem_ticket(
            Inbox(tx.session), late["ticket"], NOW + usecases.TICKET_TTL + timedelta(seconds=1)))
    for forged in ("", None, "x" * 500, 42):
        with pytest.raises(Unauthenticated):
            run(sessions, lambda tx: usecases.redeem_ticket(Inbox(tx.session), forged, NOW))


def test_preferences_round_trip_and_refuse_what_cannot_be_set(sessions):
    caller = {"account_id": "a-2", "kind": "provider"}
    answer, _ = run(sessions, lambda tx: usecases.put_preferences(
        Inbox(tx.session), caller, {"notifications.bulletin_published": False}, True))
    assert answer["email"]["notifications.bulletin_published"] is False
    assert answer["patient_messages"] is True
    with pytest.raises(InvalidInput) as refused:
        run(sessions, lambda tx: usecases.put_preferences(
            Inbox(tx.session), caller, {"identity.email_changed": False}, None))
    assert list(refused.value.errors) == ["email.identity.email_changed"]
    with pytest.raises(InvalidInput):
        run(sessions, lambda tx: usecases.put_preferences(Inbox(tx.session), caller, [], None))
    with sessions() as session:
        assert usecases.get_preferences(Inbox(session), caller) == answer


def test_bulletins_reach_the_targeted_provider_types(sessions):
    provider(sessions, "clinic-login", "p-clinic", "clinic")
    provider(sessions, "lab-login", "p-lab", "laboratory")
    provider(sessions, "dentist-login", "p-dentist", "dentist")
    operator = {"account_id": "op-1", "kind": "staff", "roles": ["operator"]}
    bulletin, published = run(sessions, lambda tx: usecases.publish_bulletin(
        tx, operator, "Tabela", "Nova tabela", ["clinic", "laboratory"], [], CONTEXT, NOW))
    [broadcast] = published
    assert sorted(i["account_id"] for i in broadcast["payload"]["data"]["items"]) == [
        "clinic-login", "lab-login"]
    with sessions() as session:
        directory, inbox = Directory(session), Inbox(session)
        for caller, sees in (({"kind": "provider", "provider_id": "p-clinic"}, True),
                             ({"kind": "provider", "provider_id": "p-dentist"}, False),
                             ({"kind": "staff"}, True),
                             ({"kind": "secretary", "account_id": "s",
                               "acting_for": {"p-lab": ["billing"]}}, True)):
            types = usecases.bulletin_audience(caller, directory, None)
            rows, _ = inbox.bulletins_page(types, 50, None)
            assert (bulletin["id"] in [r["id"] for r in rows]) is sees, caller
        with pytest.raises(Forbidden):
            usecases.bulletin_audience({"kind": "secretary", "account_id": "s",
                                        "acting_for": {}}, directory, None)
        with pytest.raises(Forbidden):
            usecases.bulletin_audience({"kind": "citizen", "account_id": "c"}, directory, None)
    with pytest.raises(InvalidInput) as invalid:
        usecases.check_bulletin(" ", "texto", ["clinic", "castle"])
    assert set(invalid.value.errors) == {"title", "provider_types.1"}
