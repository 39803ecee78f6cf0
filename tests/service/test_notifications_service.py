"""The notifications service container on the in-process broker with SQLite: identity events become
e-mails that are delivered once, to a real local SMTP server or to the .eml outbox, and failed
sends are retried with growing waits, every attempt recorded."""
from __future__ import annotations

import email
import email.policy
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import eventlet
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kombu import Connection, Queue
from nameko import config as nameko_config
from nameko.runners import ServiceRunner
from sqlalchemy.orm import sessionmaker

import ponte.broker  # noqa: F401  registers the in-process transport
from ponte import config, logs, messaging
from ponte.config import settings
from ponte.db import create_engine_for, migrate, utcnow
from services.notifications import delivery, models
from services.notifications.domain import email as domain
from services.notifications.domain.email import Email
from services.notifications.emails import compose
from services.notifications.repository import EmailRepository
from services.notifications.service import NotificationsService
from services.notifications.transports import transport_for
from tests.stack import Mailbox, free_port, wait_until

PUBLIC_URL = "http://ponte.test:8000"


class Inbox:
    """What a real SMTP server received (aiosmtpd handler), and over which connections."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.sessions: list[Any] = []  # aiosmtpd has one session per connection

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.sessions.append(session)
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [address for envelope in self.envelopes for address in envelope.rcpt_tos]

    def connections(self) -> int:
        """How many connections delivered messages (the sessions are kept: ids stay unique)."""
        return len({id(session) for session in self.sessions})

    def messages(self) -> list[email.message.EmailMessage]:
        """Parsed as a mail store keeps them: with the wire's CRLF line ends made local."""
        return [email.message_from_bytes(e.original_content.replace(b"\r\n", b"\n"),
                                         policy=email.policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Inbox, int]]]:
    controllers: list[Controller] = []

    def start(port: int | None = None, handler: Inbox | None = None,
              **options: Any) -> tuple[Inbox, int]:
        inbox, port = handler or Inbox(), port or free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


class TroubledInbox(Inbox):
    """Refuses one recipient (550), or hangs up while that recipient's message arrives, before
    answering it: the message is not taken, and the connection is gone."""

    def __init__(self, troublesome: str, trouble: str) -> None:
        super().__init__()
        self.troublesome, self.trouble = troublesome, trouble

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          options: list) -> str:
        if self.trouble == "refused" and address == self.troublesome:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.trouble == "hung up" and self.troublesome in envelope.rcpt_tos:
            server.transport.close()
            return "421 4.3.0 Closing"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def notifications(tmp_path, monkeypatch) -> Iterator[Callable[..., Path]]:
    """Starts the service with the given environment; returns its data directory."""
    runners: list[ServiceRunner] = []
    monkeypatch.setattr(delivery, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(domain, "FIRST_RETRY", timedelta(milliseconds=200))
    patch = nameko_config.patch({"AMQP_URI": f"memory://notifications-{uuid.uuid4().hex[:8]}",
                                 "serializer": "json"})
    patch.start()

    def start(**env: str) -> Path:
        settings = {"PONTE_DATA_DIR": str(tmp_path), "PONTE_PUBLIC_URL": PUBLIC_URL, **env}
        for name in ("PONTE_DB_URL", "PONTE_SMTP_URL", "PONTE_MAIL_FROM"):
            monkeypatch.delenv(name, raising=False)
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        config.settings.cache_clear()
        runner = ServiceRunner()
        runner.add_service(NotificationsService)
        runner.start()
        runners.append(runner)
        return tmp_path

    yield start
    for runner in runners:
        runner.stop()
    patch.stop()
    config.settings.cache_clear()


def publish(event_type: str, data: dict[str, Any], event_id: str | None = None) -> str:
    """An identity event as the relay sends it (the same id twice is a redelivery)."""
    event = messaging.Event(event_id or str(uuid.uuid4()), event_type, "identity",
                            datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                            data, correlation_id="corr-" + event_type)
    exchange = messaging.event_exchange("identity")
    queue = Queue(f"evt-identity-{event_type}--notifications.handle_{event_type}",
                  exchange=exchange, routing_key=event_type, durable=True)
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(event.envelope(), exchange=exchange,
                                                 routing_key=event_type, declare=[queue])
    return event.id


def rows(data_dir: Path, table: str, where: str = "1=1", **params: Any) -> list:
    engine = sa.create_engine(f"sqlite:///{data_dir}/notifications.db")
    with engine.connect() as conn:
        found = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {where}"),
                             params).mappings().all()
    engine.dispose()
    return found


def sent(data_dir: Path, event_id: str) -> list:
    return rows(data_dir, "emails", "event_id = :e AND status = 'sent'", e=event_id)


def invitation(email_address: str = "clinica@ponte.test", **changes: Any) -> dict[str, Any]:
    return {"provider_id": "p-1", "site_id": "s-1", "account_id": "a-1", "email": email_address,
            "name": "Clínica Boa Saúde", "site_name": "Clínica Boa Saúde", "token": "tok-123",
            "expires_at": "2026-12-01T12:00:00Z", **changes}


def test_without_smtp_each_email_is_an_eml_file_in_the_outbox(notifications):
    data_dir = notifications()
    event_id = publish("provider_invited", invitation())
    mailbox = Mailbox(data_dir / "outbox")
    message = mailbox.wait_for("clinica@ponte.test", "Convite", timeout=10)
    assert mailbox.token("clinica@ponte.test") == "tok-123"
    assert f"{PUBLIC_URL}/registration?token=tok-123" in Mailbox.body(message)
    assert message["From"] == "Ponte <no-reply@ponte.local>"
    assert message["X-Ponte-Event-Id"] == event_id
    [path] = (data_dir / "outbox").iterdir()  # renamed into place: no partial file left
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f-]{36}\.eml", path.name)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds a one-time token
    [row] = wait_until(lambda: sent(data_dir, event_id), 5, what="the e-mail to be recorded")
    assert (row["notification_type"], row["attempts"], row["locale"]) == (
        "identity.provider_invited", 1, "pt-BR")
    assert row["correlation_id"] == "corr-provider_invited"
    [attempt] = rows(data_dir, "email_attempts", "email_id = :i", i=row["id"])
    assert (attempt["attempt"], attempt["outcome"], attempt["error"]) == (1, "sent", None)


def test_the_same_event_twice_sends_one_email(notifications):
    data_dir = notifications()
    event_id = str(uuid.uuid4())
    for _ in range(2):  # back to back: both deliveries may run at once
        publish("password_reset_requested", invitation("ana@ponte.test"), event_id)
    wait_until(lambda: sent(data_dir, event_id), 10, what="the first delivery")
    publish("password_reset_requested", invitation("ana@ponte.test"), event_id)  # a late one
    marker = publish("password_reset_requested", invitation("marker@ponte.test"))
    wait_until(lambda: sent(data_dir, marker), 10, what="the marker e-mail")
    eventlet.sleep(0.3)
    assert len(rows(data_dir, "emails", "event_id = :e", e=event_id)) == 1
    assert len(Mailbox(data_dir / "outbox").messages("ana@ponte.test")) == 1
    assert not rows(data_dir, "event_failures")


def test_emails_are_delivered_to_a_real_smtp_server(notifications, smtp_server):
    inbox, port = smtp_server()
    data_dir = notifications(PONTE_SMTP_URL=f"smtp://127.0.0.1:{port}",
                             PONTE_MAIL_FROM="Ponte Test <mail@ponte.test>")
    event_id = publish("staff_created", {"account_id": "a-2", "email": "staff@ponte.test",
                                         "name": "Marta", "roles": ["auditor"],
                                         "token": "setup-1", "expires_at": None,
                                         "locale": "en"})
    wait_until(lambda: inbox.envelopes, 10, what="the SMTP server to receive the e-mail")
    [envelope], [message] = inbox.envelopes, inbox.messages()
    assert (envelope.mail_from, envelope.rcpt_tos) == ("mail@ponte.test", ["staff@ponte.test"])
    assert message["Subject"] == "Your Ponte account is ready: set your password"
    text = Mailbox.body(message)
    assert f"{PUBLIC_URL}/password-reset?token=setup-1" in text
    assert re.search(r"^Token: (\S+)$", text, re.M).group(1) == "setup-1"
    wait_until(lambda: sent(data_dir, event_id), 5, what="the e-mail to be recorded as sent")
    assert not (data_dir / "outbox").exists()


def test_a_refused_connection_is_retried_with_growing_waits_until_the_server_is_up(
        notifications, smtp_server, caplog):
    caplog.set_level(logging.INFO, logger=delivery.__name__)
    caplog.handler.addFilter(lambda record: setattr(record, "cid", logs.correlation_id()) or True)
    port = free_port()  # nothing listens there yet
    data_dir = notifications(PONTE_SMTP_URL=f"smtp://127.0.0.1:{port}")
    event_id = publish("email_changed", {"account_id": "a-3", "old_email": "old@ponte.test",
                                         "new_email": "new@ponte.test", "name": "Rui",
                                         "locale": "it"})
    wait_until(lambda: len(rows(data_dir, "email_attempts")) >= 3, 10,
               what="three failed attempts")
    inbox, _ = smtp_server(port)
    [row] = wait_until(lambda: sent(data_dir, event_id), 15, what="delivery once the server is up")
    assert [m["To"] for m in inbox.messages()] == ["old@ponte.test"]
    attempts = rows(data_dir, "email_attempts", "email_id = :i ORDER BY attempt", i=row["id"])
    failed, last = attempts[:-1], attempts[-1]
    assert len(attempts) == row["attempts"] and [a["attempt"] for a in attempts] == \
        list(range(1, len(attempts) + 1))
    assert all(a["outcome"] == "failed" and "ConnectionRefused" in a["error"] for a in failed)
    assert (last["outcome"], last["retry_at"]) == ("sent", None)
    waits = [datetime.fromisoformat(a["retry_at"]) - datetime.fromisoformat(a["at"])
             for a in failed]
    # the fixture makes the first wait 200 ms; each failed attempt doubles it
    assert waits == [timedelta(milliseconds=200 * 2 ** n) for n in range(len(failed))]
    gaps = [datetime.fromisoformat(b["at"]) - datetime.fromisoformat(a["at"])
            for a, b in zip(attempts, attempts[1:], strict=False)]
    assert all(gap >= wait for gap, wait in zip(gaps, waits, strict=False))
    logged = [r for r in caplog.records if getattr(r, "email_id", None) == row["id"]]
    assert [r.outcome for r in logged] == [a["outcome"] for a in attempts]
    assert {r.cid for r in logged} == {"corr-email_changed"}


def test_an_email_that_never_goes_through_is_given_up_as_failed(notifications, monkeypatch):
    monkeypatch.setattr(domain, "MAX_ATTEMPTS", 3)
    monkeypatch.setattr(domain, "FIRST_RETRY", timedelta(milliseconds=50))
    data_dir = notifications(PONTE_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    event_id = publish("citizen_registered", {"account_id": "a-4", "email": "cid@ponte.test",
                                              "name": "Lia"})
    [row] = wait_until(lambda: rows(data_dir, "emails", "event_id = :e AND status = 'failed'",
                                    e=event_id), 10, what="the e-mail to be given up")
    assert row["attempts"] == 3 and row["next_attempt_at"] is None
    assert "ConnectionRefused" in row["last_error"]
    assert len(rows(data_dir, "email_attempts", "email_id = :i", i=row["id"])) == 3


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by the client through SSL_CERT_FILE."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_smtps_logs_in_over_tls(notifications, smtp_server, tmp_path_factory, monkeypatch):
    import ssl

    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret/pass")

    inbox, port = smtp_server(ssl_context=server_context, authenticator=authenticate,
                              auth_require_tls=False)
    notifications(PONTE_SMTP_URL=f"smtps://mailer:s3cret%2Fpass@127.0.0.1:{port}")
    publish("password_changed", {"account_id": "a-5", "email": "pw@ponte.test", "name": "Edu"})
    wait_until(lambda: inbox.envelopes, 10, what="the e-mail over SMTPS")
    assert logins == [(b"mailer", b"s3cret/pass")]
    assert inbox.messages()[0]["Subject"] == "Sua senha do Ponte foi alterada"


def test_the_migration_creates_exactly_the_tables_the_models_describe(notifications):
    data_dir = notifications()
    expected = sa.MetaData()
    for table in (*models.metadata.tables.values(), *messaging.metadata.tables.values()):
        table.to_metadata(expected)
    engine = sa.create_engine(f"sqlite:///{data_dir}/notifications.db")
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": "alembic_version_notifications"})
        assert compare_metadata(context, expected) == []
    engine.dispose()


def queue_emails(sessions: sessionmaker, addresses: list[str]) -> list[str]:
    """Queued in this order (each due a millisecond after the one before, all due now); their
    ids."""
    queued, first = [], utcnow() - timedelta(seconds=1)
    with sessions() as session, session.begin():
        for number, address in enumerate(addresses):
            message = compose("citizen_registered", {"email": address, "name": f"C{number}"},
                              public_url=PUBLIC_URL, occurred_at="2026-11-23T12:00:00Z")
            email = Email.queue(message, str(uuid.uuid4()), "identity.citizen_registered",
                                first + timedelta(milliseconds=number))
            EmailRepository(session).add(email)
            queued.append(email.id)
    return queued


@pytest.fixture
def email_queue(service_database) -> sessionmaker:
    return service_database("notifications")


def deliver_everything_due(sessions: sessionmaker, port: int) -> None:
    transport = transport_for(f"smtp://127.0.0.1:{port}", settings().data_dir)
    while delivery.deliver_due(sessions, transport, settings().mail_from):
        pass


def test_a_batch_of_emails_goes_over_one_smtp_connection(email_queue, smtp_server):
    inbox, port = smtp_server()
    addresses = [f"c{number}@ponte.test" for number in range(12)]
    queue_emails(email_queue, addresses)
    deliver_everything_due(email_queue, port)
    assert sorted(inbox.recipients()) == sorted(addresses)
    assert inbox.connections() < len(addresses)
    assert inbox.connections() == 1  # 12 is within one batch


@pytest.mark.parametrize("trouble", ["refused", "hung up"])
def test_a_failure_in_the_middle_of_a_batch_is_that_emails_alone(email_queue, smtp_server,
                                                                  trouble):
    """The others are each delivered once (after a hang-up, over a new connection); the one
    that failed has its failed attempt recorded and waits for its retry, as with any failure."""
    addresses = [f"c{number}@ponte.test" for number in range(10)]
    inbox, port = smtp_server(handler=TroubledInbox("c4@ponte.test", trouble))
    ids = queue_emails(email_queue, addresses)
    deliver_everything_due(email_queue, port)
    assert inbox.recipients() == addresses[:4] + addresses[5:]  # in order, each once
    with email_queue() as session:
        repository = EmailRepository(session)
        troubled = repository.attempts(ids[4])
        others = [repository.attempts(email_id) for email_id in ids[:4] + ids[5:]]
        [row] = session.execute(sa.select(models.emails).where(models.emails.c.id == ids[4]))
    assert [(a.number, a.outcome) for a in troubled] == [(1, "failed")]
    assert troubled[0].error.startswith("SMTPRecipientsRefused" if trouble == "refused"
                                        else "SMTPServerDisconnected")
    assert (row.status, row.attempts) == ("retrying", 1)
    assert all([(a.number, a.outcome) for a in attempts] == [(1, "sent")]
               for attempts in others)
    # the failed connection is not used again: one before the failure, one after
    assert inbox.connections() == 2


class SlowTransport:
    """Records what it was handed, taking a moment each time so replicas overlap."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, queued: Any, message: Any) -> None:
        eventlet.sleep(0.01)
        self.sent.append(queued.id)

    def connect(self) -> AbstractContextManager[SlowTransport]:
        return nullcontext(self)


def test_replicas_on_postgresql_send_each_email_once(tmp_path, monkeypatch, postgres_databases):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(delivery, "BATCH", 4)
    config.settings.cache_clear()
    engine = create_engine_for("notifications")
    try:
        migrate("notifications", engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        queue_emails(sessions, [f"c{number}@ponte.test" for number in range(30)])
        transport = SlowTransport()

        def replica() -> None:
            while delivery.deliver_due(sessions, transport, settings().mail_from):
                pass

        pool = eventlet.GreenPool()
        for _ in range(4):
            pool.spawn(replica)
        pool.waitall()
        assert len(transport.sent) == len(set(transport.sent)) == 30
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT status, attempts, count(*) FROM emails "
                                        "GROUP BY status, attempts")).all() == [("sent", 1, 30)]
    finally:
        engine.dispose()
