"""``as_mime`` builds with headers kept and folded once (``KeptHeaderClasses``, issue 21): what
it hands over stays byte for byte what the standard library's construction with
``email.policy.default`` gives, kept here as the reference, for the outbox (``as_bytes()``) and
for SMTP (what ``send_message`` gives the server), whatever was built before it."""
from __future__ import annotations

import random
import smtplib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.notifications import emails as email_module
from services.notifications.domain.email import Email
from services.notifications.emails import EVENTS, POLICY, as_mime, compose
from services.notifications.transports import OutboxFolder, SmtpConnection, SmtpServer

SENDER = "Ponte <no-reply@ponte.example.org>"


def reference(email: Email, sender: str) -> EmailMessage:
    """``as_mime``'s construction with ``email.policy.default`` (every header parsed and folded
    anew), as it was before issue 21."""
    kept = email_module.POLICY
    email_module.POLICY = email_policy.default
    try:
        return as_mime(email, sender)
    finally:
        email_module.POLICY = kept


class Recorder(smtplib.SMTP):
    """An SMTP client that records what ``send_message`` would hand the server."""

    def __init__(self) -> None:
        super().__init__()  # no host: nothing is connected
        self.sent: list[tuple[str, list[str], bytes, tuple[str, ...]]] = []

    def ehlo_or_helo_if_needed(self) -> None:
        pass

    def has_extn(self, opt: str) -> bool:
        return opt.lower() == "smtputf8"

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(),  # noqa: ANN001
                 rcpt_options=()) -> dict:  # noqa: ANN001
        self.sent.append((from_addr, list(to_addrs), msg, tuple(mail_options)))
        return {}


@dataclass(frozen=True)
class RecordingServer(SmtpServer):
    recorder: Recorder | None = None

    def open(self) -> smtplib.SMTP:
        return self.recorder


def handed_over(build, email: Email, sender: str = SENDER, seed: int = 7) -> object:  # noqa: ANN001
    """What a message built by ``build`` gives the outbox and the SMTP transport (each built
    after seeding ``random``, which draws the boundary), or the error it raises."""
    outcome: list[object] = []
    try:
        random.seed(seed)
        outcome.append(build(email, sender).as_bytes())
        random.seed(seed)
        message = build(email, sender)
        recorder = Recorder()
        SmtpConnection(RecordingServer("sink", 25, False, recorder=recorder)).send(email, message)
        outcome.append(recorder.sent)
        random.seed(seed)
        outcome.append(build(email, sender).as_bytes(policy=POLICY.clone(max_line_length=40)))
    except Exception as exc:  # noqa: BLE001  the same failure is the same outcome
        outcome.append((type(exc), str(exc)))
    return outcome


def _email(**fields: object) -> Email:
    defaults: dict = {
        "id": str(uuid.UUID(int=1)), "event_id": str(uuid.UUID(int=2)),
        "notification_type": "identity.provider_invited", "recipient": "site@clinica.test",
        "locale": "pt-BR", "subject": "Redefinição de senha do Ponte", "text": "Olá\n",
        "html": "<p>Olá</p>\n", "created_at": datetime(2026, 11, 23, 15, 30, 12, tzinfo=UTC),
        "token": None}
    return Email(**{**defaults, **fields})


WORDS = ["Olá", "Clínica", "São", "João", "ação", "Convite", "Ponte", "senha", "cadastro", "de",
         "o", "a", "link", "https://ponte.example.org/registration?token=Zx9-token_Q", "=", "=3D",
         "=?utf-8?q?abc?=", "a" * 90, "Zx9-token_Q", "<b>", "&amp;", "\t", "€", "😀", "", " "]
ODD = ["--===============", "\x0b", "\x85", "\x1c", "\r", "x\u2028y"]  # in bodies only
PROSE = ["para", "concluir", "o", "seu", "cadastro", "no", "Ponte", "acesse", "link", "abaixo",
         "Token:", "Zx9-token_Q", "vale", "até", "às", "horário", "Brasília", "(", ")", "."]
prose = st.lists(st.sampled_from(PROSE), max_size=30).map(" ".join)
line = prose | st.lists(st.sampled_from(WORDS) | st.sampled_from(ODD) | st.text(max_size=8),
                        max_size=30).map(" ".join)
body = (st.lists(prose, max_size=30).map("\n".join)  # quoted-printable, mostly
        | st.lists(line, max_size=30).map("\n".join)
        | st.lists(line, max_size=4).map(lambda lines: "\r\n".join(lines) + "\r\n"))
header_text = st.lists(st.sampled_from(WORDS) | st.text(st.characters(
    min_codepoint=32, max_codepoint=0x24f), max_size=10), max_size=12).map(" ".join)
address = st.sampled_from([
    "site@clinica.test", "ana.maria+ponte@example.org", "O'Neil@x.example", "a=?b@c.d",
    "joão@exemplo.com.br", "Ana <ana@example.org>", '"Ana, Maria" <ana@example.org>', "",
    "x" * 70 + "@example.org", "ana@[127.0.0.1]", "a..b@example.org", "ana @example.org",
    "=?utf-8?q?ana?=@example.org", "ana@example.org\nBcc: x@example.org"])
ident = st.uuids().map(str) | st.sampled_from([
    "evt-1", "a b", " a", "a  b", "a\tb", "=?utf-8?q?=C3=A9?=", "=?utf-8?q?abc?=", "é", "x" * 80,
    "<a@b>", "a@b", "a\nb"]) | header_text
zone = st.sampled_from([None, UTC, timezone(timedelta(hours=-3)),
                        timezone(timedelta(hours=5, minutes=30)),
                        timezone(timedelta(minutes=-30)), timezone(timedelta(seconds=59))])
instant = st.builds(lambda moment, tz: moment.replace(tzinfo=tz),
                    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
                    zone)
emails = st.builds(
    Email, id=ident, event_id=ident,
    notification_type=st.sampled_from(["identity.provider_invited", "attendance.appointment_booked",
                                       "x" * 80]) | header_text,
    recipient=address, locale=st.sampled_from(["pt-BR", "en", "it", "pt_BR", ""]),
    subject=header_text, text=body, html=st.sampled_from([None, ""]) | body, created_at=instant,
    token=st.none() | ident)
senders = st.sampled_from([SENDER, "Ponte <no-reply@ponte.local>", "no-reply@ponte.test",
                           "Ponte Saúde <no-reply@ponte.test>", '"Ponte, SUS" <x@ponte.test>',
                           "Ponte"])


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(email_=emails, sender=senders, seed=st.integers(0, 2**32))
def test_any_e_mail_is_handed_over_byte_for_byte_as_the_standard_construction_gave(email_,
                                                                                   sender, seed):
    assert handed_over(as_mime, email_, sender, seed) == handed_over(reference, email_, sender,
                                                                     seed)


def test_each_notification_e_mail_in_each_language_is_the_same_as_before(tmp_path):
    data = {"email": "site@clinica.test", "name": "Clínica Boa Saúde São João",
            "site_name": "Centro", "token": "Zx9-token_Q" * 3, "expires_at": "2026-11-26T15:30:00Z",
            "old_email": "old@clinica.test", "new_email": "joana@novo.test", "kind": "secretary"}
    for event in EVENTS:
        for locale in ("pt-BR", "en", "it"):
            message = compose(event, {**data, "locale": locale},
                              public_url="https://ponte.example.org",
                              occurred_at="2026-11-23T15:30:00Z")
            queued = Email.queue(message, str(uuid.uuid4()), f"identity.{event}",
                                 datetime(2026, 11, 23, 15, 30, 12, 345, tzinfo=UTC))
            assert handed_over(as_mime, queued) == handed_over(reference, queued), (event, locale)
            outbox = OutboxFolder(tmp_path / locale)
            random.seed(1)
            outbox.send(queued, as_mime(queued, SENDER))
            random.seed(1)
            assert next((tmp_path / locale).glob(f"*{queued.id}.eml")).read_bytes() \
                == reference(queued, SENDER).as_bytes()


@pytest.mark.parametrize("recipient", ["site@clinica.test", "Ana <ana@example.org>"])
def test_the_headers_read_back_as_their_decoded_values(recipient):
    queued = _email(token="Zx9-token_Q", recipient=recipient)
    message, before = as_mime(queued, SENDER), reference(queued, SENDER)
    random.seed(5)
    written = message.as_bytes()  # which sets the boundary
    random.seed(5)
    assert written == before.as_bytes()
    for name in ("From", "To", "Subject", "Date", "Message-ID", "X-Ponte-Event-Id",
                 "X-Ponte-Token", "Content-Type", "Content-Language", "MIME-Version"):
        assert str(message[name]) == str(before[name]), name
    assert message.get_content_type() == "multipart/alternative"
    assert message.policy is POLICY
