"""notifications' one-statement reads on SQLite and PostgreSQL: an event's audience (a provider's
logins, its secretaries holding a role, listed accounts) with the read model's rows, and a page
of the inbox with its unread count (issue 21: one statement each instead of three and two)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from ponte import config, later
from ponte.db import create_engine_for, migrate
from ponte.roles import PROVIDER, SECRETARY, STAFF
from services.notifications.domain.incoming import Incoming
from services.notifications.domain.routing import Audience
from services.notifications.repository import Directory, Inbox
from services.notifications.usecases import notices
from services.notifications.usecases.notices import recipients_of
from tests.service.notifications_context import run

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, service_database, tmp_path, monkeypatch):
    if request.param == "sqlite":
        yield service_database("notifications")
        return
    request.getfixturevalue("postgres_databases")
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    config.settings.cache_clear()
    engine = create_engine_for("notifications")
    migrate("notifications", engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def statements(session) -> list[str]:
    """The statements ``session`` sends from now on."""
    sent: list[str] = []
    sa.event.listen(session.get_bind(), "before_cursor_execute",
                    lambda _conn, _cursor, statement, *_: sent.append(statement))
    return sent


def directory_of(sessions) -> None:
    with sessions.begin() as session:
        people = Directory(session)
        for account, kind, provider_id, status in (
                ("login-b", PROVIDER, "p1", "active"), ("login-a", PROVIDER, "p1", "active"),
                ("login-gone", PROVIDER, "p1", "deleted"), ("login-other", PROVIDER, "p2",
                                                            "active"),
                ("sec-auth", SECRETARY, None, "active"), ("sec-agenda", SECRETARY, None,
                                                          "active"),
                ("sec-inactive", SECRETARY, None, "active"), ("citizen", "citizen", None,
                                                              "active"),
                ("auditor", STAFF, None, "active")):
            people.save_account(account, NOW, kind=kind, provider_id=provider_id,
                                status=status, email=f"{account}@p.test",
                                roles=["auditor"] if kind == STAFF else None)
        for relationship, secretary, roles, active in (
                ("r1", "sec-auth", ["authorizations"], True),
                ("r2", "sec-agenda", ["agenda"], True),
                ("r3", "sec-inactive", ["authorizations"], False),
                ("r4", "sec-unknown", ["authorizations", "agenda"], True)):
            people.save_grant(relationship, "p1", secretary, roles, active,
                              "2026-12-07T12:00:00Z")


def test_an_audience_is_its_logins_then_secretaries_with_a_role_and_their_rows(sessions):
    directory_of(sessions)
    with sessions() as session:
        directory = Directory(session)
        ids, rows = recipients_of(directory, Audience(
            accounts=("citizen", "login-other"), provider_id="p1",
            provider_roles=("authorizations",), staff_roles=("auditor",),
            exclude=frozenset({"sec-auth-never"})))
        assert ids == ["citizen", "login-other", "login-a", "login-b", "sec-auth",
                       "sec-unknown", "auditor"]
        assert set(rows) == {"citizen", "login-other", "login-a", "login-b", "sec-auth",
                             "auditor"}  # the read model has no row of sec-unknown yet
        assert rows["sec-auth"].email == "sec-auth@p.test"
        assert rows["login-a"].kind == PROVIDER
        sent = statements(session)
        assert recipients_of(directory, Audience(provider_id="p1"))[0] == ["login-a",
                                                                          "login-b"]
        assert len(sent) == 1
        assert recipients_of(directory, Audience(provider_id="p1", provider_roles=(
            "agenda",)))[0] == ["login-a", "login-b", "sec-agenda", "sec-unknown"]
        assert recipients_of(directory, Audience(provider_id="nobody", provider_roles=(
            "agenda",))) == ([], {})


def test_the_types_switched_off_ride_on_the_audience_s_rows(sessions):
    """Which recipients switched a type's e-mail off is read with the audience (no statement
    of its own, issue 21); a recipient the read model has no row of yet is asked alone."""
    directory_of(sessions)
    with sessions.begin() as session:
        inbox = Inbox(session)
        inbox.save_preferences("login-a", {"t.one": False, "t.two": False, "t.three": True},
                               None)
        inbox.save_preferences("sec-unknown", {"t.one": False}, None)
    with sessions() as session:
        directory, inbox = Directory(session), Inbox(session)
        ids, rows = recipients_of(directory, Audience(provider_id="p1",
                                                      provider_roles=("authorizations",)))
        assert ids == ["login-a", "login-b", "sec-auth", "sec-unknown"]
        assert sorted(rows["login-a"].email_off.split()) == ["t.one", "t.two"]
        assert rows["login-b"].email_off is None
        known = [account_id for account_id in ids if account_id in rows]
        sent = statements(session)
        assert inbox.switched_off(known, "t.two", rows) == {"login-a"}
        assert inbox.switched_off(known, "t.three", rows) == set()
        assert sent == []
        assert inbox.switched_off(ids, "t.one", rows) == {"login-a", "sec-unknown"}
        assert len(sent) == 1 and "FROM preferences" in sent[0]
        assert inbox.switched_off(["citizen"], "t.one", directory.accounts(["citizen"])) \
            == set()


def test_an_event_told_as_two_notices_resolves_its_audience_once(sessions, monkeypatch):
    """A request authorized at its submission: two notices per person, one audience statement,
    one broadcast, and a notice's items and e-mails each in one statement (issue 21); on
    PostgreSQL the e-mails ride with the next statement, the last ones and the broadcast with
    the COMMIT (``ponte.later``)."""
    directory_of(sessions)
    sent: list[str] = []
    round_trips: list[int] = []

    def listener(conn, _cursor, statement, *_) -> None:  # noqa: ANN001
        carried = [text.decode() for text in later.waiting(conn)]
        sent.extend([*carried, statement])
        round_trips.append(len(carried) + 1)
    send = later._send

    def ending(dbapi_connection, text: bytes) -> None:  # noqa: ANN001
        parts = text.decode().split(";")
        sent.extend(parts)
        round_trips.append(len(parts))
        send(dbapi_connection, text)
    monkeypatch.setattr(later, "_send", ending)
    engine = sessions.kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        created, published = run(sessions, NOW, notices.take, Incoming(
            "evt-9", "authorizations", "request_submitted", "2026-12-07T12:00:00Z",
            {"number": "00000009", "status": "authorized", "code": "K9X2-77QA",
             "valid_until": "2027-03-07", "procedure_codes": ["81000065"],
             "audience": {"provider": {"id": "p1", "roles": []}}}))
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert [(c["account_id"], c["notification"]["type"]) for c in created] == [
        (account, f"authorizations.request_{what}") for what in ("submitted", "authorized")
        for account in ("login-a", "login-b")]
    assert [e["event_type"] for e in published] == ["notifications_created"]
    assert len([s for s in sent if "FROM accounts" in s]) == 1
    assert not [s for s in sent if s.startswith("SELECT preferences")]  # on the audience's rows
    # each notice's items in one statement, and its e-mails in one
    assert [s.split()[2] for s in sent if s.startswith("INSERT")] == [
        "notifications", "emails", "notifications", "emails", "outbox"]
    if engine.dialect.name == "postgresql":  # the audience, each notice's items, COMMIT
        assert len(round_trips) == 4
    with sessions() as session:
        assert session.execute(sa.text("SELECT count(*) FROM emails")).scalar() == 4


def test_a_page_of_the_inbox_carries_the_unread_count_of_the_whole_inbox(sessions):
    with sessions.begin() as session:
        inbox = Inbox(session)
        inbox.add_all([{"id": f"n{n}", "account_id": "me", "event_id": f"e{n}", "type": "t",
                        "title": "t", "body": "b", "link": None,
                        "created_at": NOW + timedelta(seconds=n),
                        "read_at": NOW if n < 2 else None} for n in range(5)])
        inbox.add_all([{"id": "theirs", "account_id": "them", "event_id": "e0", "type": "t",
                        "title": "t", "body": "b", "link": None, "created_at": NOW,
                        "read_at": None}])
    with sessions() as session:
        inbox = Inbox(session)
        sent = statements(session)
        rows, cursor, unread = inbox.page("me", False, 2, None)
        assert [r["id"] for r in rows] == ["n4", "n3"] and unread == 3
        assert len(sent) == 1
        rows, cursor, unread = inbox.page("me", False, 2, cursor)
        assert [r["id"] for r in rows] == ["n2", "n1"] and unread == 3
        rows, cursor, unread = inbox.page("me", True, 10, None)
        assert [r["id"] for r in rows] == ["n4", "n3", "n2"] and cursor is None and unread == 3
        assert inbox.page("nobody", False, 10, None) == ([], None, 0)


def test_bulletins_are_paged_by_the_readers_types_read_in_the_same_statement(sessions):
    targets = [["laboratory"], None, ["clinic"], ["laboratory"], ["laboratory", "dentist"],
               None, ["clinic", "laboratory"], ["dentist"]]
    with sessions.begin() as session:
        directory, inbox = Directory(session), Inbox(session)
        directory.save_provider("p-clinic", NOW, provider_type="clinic")
        directory.save_provider("p-lab", NOW, provider_type="laboratory")
        for n, provider_types in enumerate(targets):
            inbox.add_bulletin(id=f"b{n}", title="t", body="b", provider_types=provider_types,
                               attachments=[], created_by="op", created_at=NOW)

    def walk(inbox: Inbox, readers: list[str] | None) -> list[str]:
        seen, cursor = [], None
        while True:
            rows, cursor = inbox.bulletins_page(readers, 2, cursor)
            seen += [row["id"] for row in rows]
            if cursor is None:
                return seen

    with sessions() as session:
        inbox = Inbox(session)
        sent = statements(session)
        rows, _ = inbox.bulletins_page(["p-clinic"], 2, None)
        # b7 (dentists) took a place in the first batch: two batches, no statement for types
        assert [row["id"] for row in rows] == ["b6", "b5"] and len(sent) == 2
        assert walk(inbox, ["p-clinic"]) == ["b6", "b5", "b2", "b1"]
        assert walk(inbox, ["p-lab", "p-clinic"]) == ["b6", "b5", "b4", "b3", "b2", "b1", "b0"]
        assert walk(inbox, ["p-unknown"]) == walk(inbox, []) == ["b5", "b1"]
        assert walk(inbox, None) == [f"b{n}" for n in reversed(range(8))]
