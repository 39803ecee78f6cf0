"""The notifications service on the in-process broker with SQLite, fed synthetic events: audiences
resolved from the read models (provider logins, secretaries by role, staff by role), one inbox
item per recipient however often an event is delivered, e-mail by preference, and an SMTP outage
that delays mail without losing any."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import eventlet
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from kombu import Connection, Queue
from nameko import config as nameko_config
from sqlalchemy.orm import sessionmaker

from ponte import messaging
from ponte.errors import Conflict, NotFound
from services.notifications.domain import email as domain
from services.notifications.repository import EmailRepository
from services.notifications.usecases.deliveries import retry_email
from tests.service.notifications_context import run
from tests.service.test_notifications_service import Inbox, rows
from tests.stack import free_port, wait_until

PROVIDER = "prov-1"
ADMIN = {"account_id": "admin-1", "kind": "staff", "roles": ["admin"]}
LOGINS = ("login-1", "login-2")


def publish(source: str, event_type: str, data: dict[str, Any],
            event_id: str | None = None) -> str:
    """An event as another service's relay sends it (the same id twice is a redelivery)."""
    event = messaging.Event(event_id or str(uuid.uuid4()), event_type, source,
                            datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                            data, correlation_id=f"corr-{event_type}")
    exchange = messaging.event_exchange(source)
    queue = Queue(f"evt-{source}-{event_type}--notifications.handle_{event_type}",
                  exchange=exchange, routing_key=event_type, durable=True)
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(event.envelope(), exchange=exchange,
                                                 routing_key=event_type, declare=[queue])
    return event.id


def items(data_dir, event_id: str) -> list:
    return rows(data_dir, "notifications", "event_id = :e ORDER BY account_id", e=event_id)


def recipients(data_dir, event_id: str, count: int) -> list[str]:
    found = wait_until(lambda: (lambda r: r if len(r) >= count else None)(
        items(data_dir, event_id)), 10, 0.05, f"{count} inbox items of {event_id}")
    eventlet.sleep(0.2)  # nothing more arrives
    return [row["account_id"] for row in items(data_dir, event_id)] if found else []


def processed(data_dir, event_id: str) -> bool:
    return bool(rows(data_dir, "processed_events", "event_id = :e", e=event_id))


def world(data_dir) -> None:
    """A provider with two logins, three secretaries (two acting for it, one of them with
    authorizations), a citizen, an auditor and an operator."""
    for number, account in enumerate(LOGINS):
        publish("identity", "provider_registered", {
            "provider_id": PROVIDER, "site_id": f"site-{number}", "account_id": account,
            "email": f"{account}@clinica.test", "name": "Clínica Sorriso",
            "provider_type": "clinic", "locale": "pt-BR"})
    for name, locale in (("sec-auth", "en"), ("sec-billing", "it"), ("sec-none", None)):
        publish("identity", "secretary_registered", {
            "account_id": name, "email": f"{name}@ponte.test", "name": name, "cpf": "1",
            "locale": locale})
    for relationship, secretary, roles in (("rel-1", "sec-auth", ["authorizations"]),
                                           ("rel-2", "sec-billing", ["billing"])):
        publish("relationships", "invitation_accepted", {
            "provider_id": PROVIDER, "provider_legal_name": "Clínica Sorriso",
            "provider_account_ids": list(LOGINS), "secretary_id": secretary,
            "secretary_name": secretary, "secretary_email": f"{secretary}@ponte.test",
            "secretary_locale": None, "roles": roles, "relationship_id": relationship,
            "invitation_id": f"inv-{relationship}", "status": "active",
            "started_at": "2026-12-01T12:00:00Z", "until": None, "ends_at": None})
    publish("identity", "citizen_registered", {"account_id": "citizen-1", "name": "Cida",
                                               "email": "cida@ponte.test", "locale": "pt-BR"})
    for account, roles in (("auditor-1", ["auditor"]), ("operator-1", ["operator"])):
        publish("identity", "staff_created", {"account_id": account, "name": account,
                                              "email": f"{account}@ponte.test", "roles": roles,
                                              "token": "t", "expires_at": None,
                                              "locale": "pt-BR"})
    wait_until(lambda: len(rows(data_dir, "grants")) == 2 and len(
        rows(data_dir, "accounts", "kind = 'staff'")) == 2, 10, 0.05, "the read models")


def test_an_authorizations_event_reaches_the_logins_and_the_secretaries_with_the_role(
        notifications):
    data_dir = notifications()
    world(data_dir)
    decided = publish("authorizations", "request_authorized", {
        "request_id": "r-1", "number": "00000042", "protocol": "32447720261201000042",
        "code": "K9X2-77QA", "valid_until": "2027-03-01",
        "link": "/api/v1/authorization-requests/r-1",
        "audience": {"accounts": [], "provider": {"id": PROVIDER, "roles": ["authorizations"]},
                     "staff_roles": []}})
    assert recipients(data_dir, decided, 3) == ["login-1", "login-2", "sec-auth"]
    by_account = {row["account_id"]: row for row in items(data_dir, decided)}
    assert by_account["login-1"]["title"] == "Solicitação 00000042 autorizada"
    assert by_account["sec-auth"]["title"] == "Request 00000042 authorized"  # her language
    assert "K9X2-77QA" in by_account["sec-auth"]["body"]
    assert {row["link"] for row in by_account.values()} == {
        "/api/v1/authorization-requests/r-1"}
    emails = wait_until(lambda: (lambda r: r if len(r) == 3 else None)(
        rows(data_dir, "emails", "event_id = :e", e=decided)), 10, 0.05, "three e-mails")
    assert {e["recipient"] for e in emails} == {"login-1@clinica.test", "login-2@clinica.test",
                                                "sec-auth@ponte.test"}

    submitted = publish("authorizations", "request_submitted", {
        "number": "00000043", "status": "awaiting_audit", "actor_account_id": "sec-auth",
        "audience": {"accounts": [], "provider": {"id": PROVIDER, "roles": ["authorizations"]},
                     "staff_roles": ["auditor"]}})
    # the secretary who submitted is not told of her own act; the auditors are
    assert recipients(data_dir, submitted, 3) == ["auditor-1", "login-1", "login-2"]

    [welcome] = rows(data_dir, "notifications", "account_id = 'login-1' AND type = :t",
                     t="identity.provider_registered")
    assert welcome["title"] == "Cadastro concluído no Ponte"
    assert welcome["body"] == "O cadastro de Clínica Sorriso no Ponte foi concluído com sucesso."


def test_an_attendance_event_reaches_the_citizen_and_the_provider_side(notifications):
    data_dir = notifications()
    world(data_dir)
    engine = sa.create_engine(f"sqlite:///{data_dir}/notifications.db")
    with engine.begin() as conn:  # login-1 opted in to patients' messages (003)
        conn.execute(sa.text("INSERT INTO account_settings (account_id, patient_messages) "
                             "VALUES ('login-1', 1)"))
    engine.dispose()
    booked = publish("attendance", "appointment_booked", {
        "notes": "Dor no dente 36",
        "appointment_id": "ap-1", "starts_at": "2026-12-10T13:30:00Z", "citizen_name": "Cida",
        "provider_legal_name": "Clínica Sorriso", "link": "/api/v1/appointments/ap-1",
        "audience": {"accounts": ["citizen-1"],
                     "provider": {"id": PROVIDER, "roles": ["authorizations", "billing"]}}})
    assert recipients(data_dir, booked, 5) == ["citizen-1", "login-1", "login-2", "sec-auth",
                                               "sec-billing"]
    by_account = {row["account_id"]: row for row in items(data_dir, booked)}
    assert by_account["sec-billing"]["title"] == "Appuntamento il 10/12/2026 alle 10:30"
    assert "Dor no dente 36" in by_account["login-1"]["body"]
    assert "Dor no dente 36" not in by_account["login-2"]["body"]


def test_a_request_authorized_at_submission_is_told_as_submitted_then_authorized(
        notifications):
    """One event (its ``request_submitted`` carries the code), two notices per person, one
    broadcast; a redelivery makes nothing more (issue 21)."""
    data_dir = notifications()
    world(data_dir)
    broadcasts = len(rows(data_dir, "outbox", "event_type = 'notifications_created'"))
    event_id = str(uuid.uuid4())
    data = {"request_id": "r-9", "number": "00000044", "status": "authorized",
            "provider_legal_name": "Clínica Sorriso", "code": "Q7W3-88ZK",
            "valid_until": "2027-03-01", "procedure_codes": ["81000065"],
            "link": "/api/v1/authorization-requests/r-9", "actor_account_id": "login-2",
            "audience": {"accounts": [], "provider": {"id": PROVIDER,
                                                      "roles": ["authorizations"]},
                         "staff_roles": []}}
    publish("authorizations", "request_submitted", data, event_id)
    recipients(data_dir, event_id, 4)
    told = [(row["account_id"], row["type"], row["title"]) for row in rows(
        data_dir, "notifications", "event_id = :e ORDER BY account_id, seq", e=event_id)]
    assert told == [
        ("login-1", "authorizations.request_submitted", "Solicitação 00000044 enviada"),
        ("login-1", "authorizations.request_authorized", "Solicitação 00000044 autorizada"),
        ("sec-auth", "authorizations.request_submitted", "Request 00000044 submitted"),
        ("sec-auth", "authorizations.request_authorized", "Request 00000044 authorized")]
    [body] = [row["body"] for row in items(data_dir, event_id)
              if row["account_id"] == "login-1" and row["type"].endswith("authorized")]
    assert "Q7W3-88ZK" in body
    wait_until(lambda: processed(data_dir, event_id), 5, 0.05, "the event to be settled")
    assert len(rows(data_dir, "outbox", "event_type = 'notifications_created'")) \
        == broadcasts + 1
    assert sorted((e["notification_type"], e["recipient"]) for e in rows(
        data_dir, "emails", "event_id = :e", e=event_id)) == [
        ("authorizations.request_authorized", "login-1@clinica.test"),
        ("authorizations.request_authorized", "sec-auth@ponte.test"),
        ("authorizations.request_submitted", "login-1@clinica.test"),
        ("authorizations.request_submitted", "sec-auth@ponte.test")]
    publish("authorizations", "request_submitted", data, event_id)  # a redelivery
    marker = publish("authorizations", "request_denied", {
        "number": "7", "audience": {"provider": {"id": PROVIDER, "roles": []}}})
    recipients(data_dir, marker, 2)
    assert len(items(data_dir, event_id)) == 4
    assert len(rows(data_dir, "emails", "event_id = :e", e=event_id)) == 4


def test_a_redelivered_event_makes_no_second_item_or_email(notifications):
    data_dir = notifications()
    world(data_dir)
    event_id = str(uuid.uuid4())
    data = {"number": "7", "audience": {"provider": {"id": PROVIDER, "roles": []}}}
    for _ in range(3):  # at once: the deliveries race
        publish("authorizations", "request_denied", data, event_id)
    assert recipients(data_dir, event_id, 2) == list(LOGINS)
    wait_until(lambda: processed(data_dir, event_id), 5, 0.05, "the event to be settled")
    publish("authorizations", "request_denied", data, event_id)  # late
    marker = publish("authorizations", "request_denied", data)
    recipients(data_dir, marker, 2)
    assert len(items(data_dir, event_id)) == 2
    assert len(rows(data_dir, "emails", "event_id = :e", e=event_id)) == 2
    assert not rows(data_dir, "event_failures")


def test_an_ended_relationship_stops_notices_and_deleted_accounts_hear_nothing(notifications):
    data_dir = notifications()
    world(data_dir)
    ended = publish("relationships", "relationship_ended", {
        "provider_id": PROVIDER, "provider_legal_name": "Clínica Sorriso",
        "provider_account_ids": list(LOGINS), "secretary_id": "sec-auth",
        "secretary_name": "sec-auth", "secretary_email": "sec-auth@ponte.test",
        "secretary_locale": "en", "roles": ["authorizations"], "relationship_id": "rel-1",
        "invitation_id": "inv-rel-1", "status": "ended", "started_at": "2026-12-01T12:00:00Z",
        "until": None, "ends_at": "2026-12-01T13:00:00Z", "ended_by": "provider",
        "actor_account_id": "login-1"})
    assert recipients(data_dir, ended, 1) == ["sec-auth"]
    publish("identity", "account_deleted", {"account_id": "login-2", "kind": "provider",
                                            "email": "login-2@clinica.test", "name": "C",
                                            "provider_id": PROVIDER, "locale": "pt-BR"})
    wait_until(lambda: rows(data_dir, "accounts", "id = 'login-2' AND status = 'deleted'"), 10,
               0.05, "the deletion")
    paid = publish("authorizations", "payment_registered", {
        "amount_paid": "10.00", "audience": {"provider": {"id": PROVIDER,
                                                          "roles": ["authorizations"]}}})
    assert recipients(data_dir, paid, 1) == ["login-1"]


def test_a_type_switched_off_still_reaches_the_inbox_but_sends_no_email(notifications):
    data_dir = notifications()
    world(data_dir)
    engine = sa.create_engine(f"sqlite:///{data_dir}/notifications.db")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO preferences (account_id, type, email) "
                             "VALUES ('login-1', 'authorizations.request_denied', 0)"))
    engine.dispose()
    denied = publish("authorizations", "request_denied", {
        "number": "8", "audience": {"provider": {"id": PROVIDER, "roles": []}}})
    assert recipients(data_dir, denied, 2) == list(LOGINS)
    wait_until(lambda: rows(data_dir, "emails", "event_id = :e", e=denied), 5, 0.05, "e-mail")
    eventlet.sleep(0.2)
    assert [e["recipient"] for e in rows(data_dir, "emails", "event_id = :e", e=denied)] == [
        "login-2@clinica.test"]


class Sink:
    """A local SMTP server that the test stops and starts again on the same port."""

    def __init__(self) -> None:
        self.port, self.inbox, self.controller = free_port(), Inbox(), None

    def start(self) -> Sink:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def sink():
    running = Sink().start()
    yield running
    running.stop()


def test_mail_waits_out_an_smtp_outage_and_none_is_lost(notifications, sink):
    data_dir = notifications(PONTE_SMTP_URL=f"smtp://127.0.0.1:{sink.port}")
    addresses = [f"outage-{n}@ponte.test" for n in range(6)]

    def welcome(address: str) -> str:
        return publish("identity", "citizen_registered", {
            "account_id": address, "email": address, "name": "Cida", "locale": "pt-BR"})
    for address in addresses[:2]:
        welcome(address)
    wait_until(lambda: len(sink.inbox.envelopes) == 2, 10, 0.05, "mail before the outage")

    sink.stop()
    during = [welcome(address) for address in addresses[2:]]
    wait_until(lambda: len(rows(data_dir, "emails", "status = 'retrying'")) == 4, 15, 0.05,
               "the four e-mails of the outage to be retrying")
    retrying = rows(data_dir, "emails", "status = 'retrying'")
    assert all(r["next_attempt_at"] and "Connection" in r["last_error"] for r in retrying)
    eventlet.sleep(1)  # a few more failed attempts while the server is down
    assert len(rows(data_dir, "emails", "status = 'sent'")) == 2

    sink.start()  # back on the same address
    wait_until(lambda: len(rows(data_dir, "emails", "status = 'sent'")) == 6, 20, 0.1,
               "every e-mail sent after the outage")
    received = [m["To"] for m in sink.inbox.messages()]
    assert sorted(received) == sorted(addresses)  # each exactly once
    assert all(processed(data_dir, event_id) for event_id in during)
    attempts = rows(data_dir, "email_attempts", "outcome = 'failed'")
    assert len(attempts) >= 4 and not rows(data_dir, "emails", "status = 'failed'")


def test_an_administrator_sends_a_failed_email_again(notifications, monkeypatch):
    monkeypatch.setattr(domain, "MAX_ATTEMPTS", 2)
    sink = Sink()  # not listening yet
    data_dir = notifications(PONTE_SMTP_URL=f"smtp://127.0.0.1:{sink.port}")
    event_id = publish("identity", "citizen_registered", {
        "account_id": "late-1", "email": "late@ponte.test", "name": "Lia", "locale": "it"})
    [failed] = wait_until(lambda: rows(data_dir, "emails", "event_id = :e AND status = 'failed'",
                                       e=event_id), 10, 0.05, "the e-mail to be given up")
    engine = sa.create_engine(f"sqlite:///{data_dir}/notifications.db")
    sessions = sessionmaker(engine, expire_on_commit=False)

    def retry(email_id: str) -> dict:
        return run(sessions, datetime.now(UTC), retry_email, ADMIN, email_id)[0]
    with pytest.raises(NotFound):
        retry(str(uuid.uuid4()))
    sink.start()
    try:
        answer = retry(failed["id"])
        assert (answer["status"], answer["attempts"]) == ("retrying", 2)
        with pytest.raises(Conflict):
            retry(failed["id"])  # not failed any more
        wait_until(lambda: rows(data_dir, "emails", "id = :i AND status = 'sent'",
                                i=failed["id"]), 10, 0.05, "the e-mail sent on its third try")
        assert [m["To"] for m in sink.inbox.messages()] == ["late@ponte.test"]
        with sessions() as session:
            assert [a.outcome for a in EmailRepository(session).attempts(failed["id"])] == [
                "failed", "failed", "sent"]
    finally:
        sink.stop()
        engine.dispose()
