"""The notifications use cases on a migrated SQLite database, without a broker: an event told
twice adds nothing, stream tickets are single use and expire, preferences round-trip, bulletins
reach the providers of the targeted types."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ponte.errors import Forbidden, InvalidInput, Unauthenticated
from services.notifications.domain.bulletins import check_bulletin
from services.notifications.domain.incoming import Incoming
from services.notifications.models import emails, notifications
from services.notifications.repository import Directory, Inbox
from services.notifications.usecases import bulletins, notices, preferences, streams
from services.notifications.usecases.read_models import apply_identity
from tests.service.notifications_context import keep, run

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def sessions(service_database):
    return service_database("notifications")


def provider(sessions, account: str, provider_id: str, provider_type: str) -> None:
    event = Incoming(f"reg-{account}", "identity", "provider_registered",
                     "2026-12-01T12:00:00Z",
                     {"provider_id": provider_id, "site_id": "s", "account_id": account,
                      "email": f"{account}@p.test", "name": provider_id,
                      "provider_type": provider_type, "locale": "pt-BR"})
    keep(sessions, NOW, apply_identity, event)


def test_an_event_told_twice_adds_no_item_email_or_broadcast(sessions):
    provider(sessions, "login-1", "p-1", "clinic")
    event = Incoming("evt-1", "authorizations", "request_denied", "2026-12-01T12:00:00Z",
                     {"number": "00000001", "justification": "Sem laudo",
                      "audience": {"provider": {"id": "p-1", "roles": []}}})
    created, published = run(sessions, NOW, notices.take, event)
    assert [c["account_id"] for c in created] == ["login-1"]
    assert [e["event_type"] for e in published] == ["notifications_created"]
    again, published = run(sessions, NOW, notices.take, event)
    assert again == [] and published == []
    with sessions() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(notifications)).scalar() == 1
        assert session.execute(sa.select(sa.func.count()).select_from(emails)).scalar() == 1


def test_stream_tickets_are_single_use_and_expire(sessions):
    caller = {"account_id": "a-1", "kind": "citizen", "session_id": "s-1"}
    issued, _ = run(sessions, NOW, streams.issue_ticket, caller)
    assert issued["expires_in"] <= 60
    redeemed, _ = run(sessions, NOW + timedelta(seconds=5), streams.redeem_ticket,
                      issued["ticket"])
    assert redeemed == caller
    with pytest.raises(Unauthenticated):
        run(sessions, NOW + timedelta(seconds=6), streams.redeem_ticket, issued["ticket"])
    late, _ = run(sessions, NOW, streams.issue_ticket, caller)
    with pytest.raises(Unauthenticated):
        run(sessions, NOW + streams.TICKET_TTL + timedelta(seconds=1), streams.redeem_ticket,
            late["ticket"])
    for forged in ("", None, "x" * 500, 42):
        with pytest.raises(Unauthenticated):
            run(sessions, NOW, streams.redeem_ticket, forged)


def test_preferences_round_trip_and_refuse_what_cannot_be_set(sessions):
    caller = {"account_id": "a-2", "kind": "provider"}
    answer, _ = run(sessions, NOW, preferences.put_preferences, caller,
                    {"notifications.bulletin_published": False}, True)
    assert answer["email"]["notifications.bulletin_published"] is False
    assert answer["patient_messages"] is True
    with pytest.raises(InvalidInput) as refused:
        run(sessions, NOW, preferences.put_preferences, caller,
            {"identity.email_changed": False}, None)
    assert list(refused.value.errors) == ["email.identity.email_changed"]
    with pytest.raises(InvalidInput):
        run(sessions, NOW, preferences.put_preferences, caller, [], None)
    assert run(sessions, NOW, preferences.get_preferences, caller)[0] == answer


def test_bulletins_reach_the_targeted_provider_types(sessions):
    provider(sessions, "clinic-login", "p-clinic", "clinic")
    provider(sessions, "lab-login", "p-lab", "laboratory")
    provider(sessions, "dentist-login", "p-dentist", "dentist")
    operator = {"account_id": "op-1", "kind": "staff", "roles": ["operator"]}
    bulletin, published = run(sessions, NOW, bulletins.publish_bulletin, operator, "Tabela",
                              "Nova tabela", ["clinic", "laboratory"], [])
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
            readers = bulletins.bulletin_readers(caller, directory, None)
            rows, _ = inbox.bulletins_page(readers, 50, None)
            assert (bulletin["id"] in [r["id"] for r in rows]) is sees, caller
            types = bulletins.bulletin_audience(caller, directory, None)
            assert (types is None or bool(types & {"clinic", "laboratory"})) is sees, caller
        with pytest.raises(Forbidden):
            bulletins.bulletin_audience({"kind": "secretary", "account_id": "s",
                                        "acting_for": {}}, directory, None)
        with pytest.raises(Forbidden):
            bulletins.bulletin_audience({"kind": "citizen", "account_id": "c"}, directory, None)
    with pytest.raises(InvalidInput) as invalid:
        check_bulletin(" ", "texto", ["clinic", "castle"])
    assert set(invalid.value.errors) == {"title", "provider_types.1"}


def test_checking_a_ticket_does_not_spend_it(sessions):
    caller = {"account_id": "a-3", "kind": "citizen", "session_id": "s-3"}
    issued, _ = run(sessions, NOW, streams.issue_ticket, caller)
    for _ in range(2):  # a stream refused for the cap (429) checked it and may come again
        assert run(sessions, NOW, streams.check_ticket, issued["ticket"])[0] == caller
    assert run(sessions, NOW, streams.redeem_ticket, issued["ticket"])[0] == caller
    for use_case in (streams.check_ticket, streams.redeem_ticket):
        with pytest.raises(Unauthenticated):
            run(sessions, NOW, use_case, issued["ticket"])
    with pytest.raises(Unauthenticated):
        run(sessions, NOW + streams.TICKET_TTL, streams.check_ticket,
            run(sessions, NOW, streams.issue_ticket, caller)[0]["ticket"])
    for forged in ("", None, "x" * 500, 42):
        with pytest.raises(Unauthenticated):
            run(sessions, NOW, streams.check_ticket, forged)
