"""Composing notification e-mails, per event and per locale, and the e-mail's delivery rules
(attempts, backoff, giving up) — plain functions, no broker."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.headerregistry import HeaderRegistry

import pytest

from services.notifications import emails as emails_module
from services.notifications.domain import email as domain
from services.notifications.domain.email import FAILED, RETRYING, SENT, Email, NotQueued
from services.notifications.emails import (
    EVENTS,
    LINKS,
    KeptHeaderClasses,
    as_mime,
    compose,
    mask,
)
from services.notifications.templates import resolve_locale

PUBLIC_URL = "https://ponte.example.org"
OCCURRED_AT = "2026-11-23T15:30:00Z"
TOKEN = "Zx9-token_Q"
DATA = {
    "provider_id": "p-1", "site_id": "s-1", "account_id": "a-1", "email": "site@clinica.test",
    "name": "Clínica Boa Saúde", "site_name": "Centro", "token": TOKEN,
    "expires_at": "2026-11-26T15:30:00Z", "old_email": "old@clinica.test",
    "new_email": "joana@novo.test", "kind": "secretary", "roles": ["operator"],
    "provider_type": "clinic", "cpf": "52998224725",
}
LOCALES = ["pt-BR", "en", "it"]
LINKED = sorted(LINKS)
COURTESY = [event for event in EVENTS if event not in LINKS]
SUBJECTS = {  # a word of each subject that only its own language uses
    "pt-BR": {"provider_invited": "Convite", "staff_created": "defina sua senha",
              "password_reset_requested": "Redefinição", "account_deleted": "exclusão",
              "provider_registered": "Cadastro concluído", "secretary_registered": "Boas-vindas",
              "citizen_registered": "Boas-vindas", "password_changed": "senha",
              "email_changed": "alterado"},
    "en": {"provider_invited": "Complete your", "staff_created": "set your password",
           "password_reset_requested": "Reset your", "account_deleted": "has been deleted",
           "provider_registered": "registration is complete",
           "secretary_registered": "Welcome", "citizen_registered": "Welcome",
           "password_changed": "was changed", "email_changed": "was changed"},
    "it": {"provider_invited": "Invito", "staff_created": "imposti la password",
           "password_reset_requested": "Reimpostazione", "account_deleted": "cancellazione",
           "provider_registered": "Registrazione completata",
           "secretary_registered": "benvenuto", "citizen_registered": "benvenuto",
           "password_changed": "modificata", "email_changed": "modificato"},
}
SIGNATURES = {"pt-BR": "Equipe Ponte", "en": "The Ponte team", "it": "Il team di Ponte"}


def _compose(event: str, **changes: object):
    return compose(event, {**DATA, **changes}, public_url=PUBLIC_URL, occurred_at=OCCURRED_AT)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("event", LINKED)
def test_an_email_with_a_link_has_the_full_url_and_a_token_line(event, locale):
    message = _compose(event, locale=locale)
    url = f"{PUBLIC_URL}{LINKS[event]}?token={TOKEN}"
    assert url in message.text
    assert re.search(r"^Token: (\S+)$", message.text, re.M).group(1) == TOKEN
    assert f'href="{url}"' in message.html and f"<code>{TOKEN}</code>" in message.html
    assert "15:30" not in message.text and "12:30" in message.text  # expiry, in São Paulo time


@pytest.mark.parametrize("event, path", [("provider_invited", "/registration"),
                                         ("staff_created", "/password-reset"),
                                         ("password_reset_requested", "/password-reset")])
def test_links_lead_to_registration_or_password_setup(event, path):
    assert f"{PUBLIC_URL}{path}?token={TOKEN}\n" in _compose(event).text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_email_renders_in_every_locale(event, locale):
    message = _compose(event, locale=locale)
    assert SUBJECTS[locale][event].lower() in message.subject.lower()
    assert message.locale == locale
    assert "{" not in message.text and "}" not in message.text
    assert DATA["name"] in message.text.splitlines()[0]
    assert SIGNATURES[locale] in message.text
    assert f'<html lang="{locale}">' in message.html


@pytest.mark.parametrize("event", COURTESY)
def test_courtesy_emails_carry_no_link_and_no_token(event):
    message = _compose(event)
    assert "Token:" not in message.text and "http" not in message.text
    assert TOKEN not in message.html


@pytest.mark.parametrize("requested, resolved", [
    (None, "pt-BR"), ("", "pt-BR"), ("pt-BR", "pt-BR"), ("pt_BR", "pt-BR"), ("pt", "pt-BR"),
    ("en", "en"), ("en-US", "en"), ("it", "it"), ("it-IT", "it"), ("fr", "pt-BR"),
    ("de-DE", "pt-BR"),
])
def test_locales_resolve_to_a_supported_one_with_brazilian_portuguese_by_default(requested,
                                                                                 resolved):
    assert resolve_locale(requested) == resolved


def test_brazilian_portuguese_is_the_default():
    assert "locale" not in DATA
    message = _compose("password_reset_requested")
    assert message.subject == "Redefinição de senha do Ponte"
    assert message.text.startswith("Olá, Clínica Boa Saúde,")
    assert _compose("password_reset_requested", locale="fr").subject == message.subject


def test_the_invitation_goes_to_the_site_and_names_it():
    message = _compose("provider_invited", locale="en")
    assert message.recipient == "site@clinica.test"
    assert "Clínica Boa Saúde (site Centro)" in message.text
    same_name = _compose("provider_invited", site_name="Clínica Boa Saúde")
    assert "Clínica Boa Saúde como prestador" in same_name.text


def test_an_email_change_is_told_to_the_old_address_without_revealing_the_new_one():
    message = _compose("email_changed")
    assert message.recipient == "old@clinica.test"
    assert "j***@novo.test" in message.text and "joana@novo.test" not in message.text
    assert "23/11/2026 às 12:30 (horário de Brasília)" in message.text


@pytest.mark.parametrize("address, masked", [("joana@novo.test", "j***@novo.test"),
                                             ("x@y.test", "x***@y.test"), ("", "***")])
def test_a_masked_address_keeps_its_first_letter_and_domain(address, masked):
    assert mask(address) == masked


def test_a_deleted_provider_is_told_its_public_data_stays_visible():
    assert "continuam visíveis" in _compose("account_deleted", kind="provider").text
    assert "continuam visíveis" not in _compose("account_deleted", kind="citizen").text


def test_a_missing_name_or_expiry_still_reads_well():
    message = _compose("staff_created", name=None, expires_at=None, locale="en")
    assert message.text.startswith("Hello,\n")
    assert "valid until" not in message.text


def test_html_escapes_what_the_event_carries():
    message = _compose("citizen_registered", name="<b>Ana</b> & Co")
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; Co" in message.html and "<b>Ana" not in message.html


def test_the_mime_message_parses_back_with_both_bodies_and_stable_headers():
    queued = Email.queue(_compose("provider_invited", locale="it"), "evt-1",
                         "identity.provider_invited", datetime(2026, 11, 23, tzinfo=UTC))
    raw = as_mime(queued, "Ponte <no-reply@ponte.example.org>").as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"] == "site@clinica.test"
    assert parsed["Subject"] == "Invito a completare la registrazione su Ponte"
    assert parsed["Message-ID"] == f"<{queued.id}@ponte.example.org>"
    assert parsed["Content-Language"] == "it"
    assert parsed["X-Ponte-Notification-Type"] == "identity.provider_invited"
    assert parsed["Auto-Submitted"] == "auto-generated"
    plain = parsed.get_body(preferencelist=("plain",)).get_content()
    assert plain == queued.text
    assert re.search(r"^Token: (\S+)$", plain, re.M).group(1) == TOKEN
    assert "<!DOCTYPE html>" in parsed.get_body(preferencelist=("html",)).get_content()


@pytest.mark.parametrize("locale", ["pt-BR", "it"])
def test_a_message_is_built_with_each_header_class_made_once_and_reads_the_same(locale,
                                                                               monkeypatch):
    """The kept header classes (issue 21) change nothing a reader sees: the bytes are those of
    ``email.policy.default`` but for the random MIME boundary."""
    queued = Email.queue(_compose("provider_invited", locale=locale), "evt-1",
                         "identity.provider_invited", datetime(2026, 11, 23, tzinfo=UTC))
    made: list[str] = []
    original = HeaderRegistry.__getitem__
    monkeypatch.setattr(HeaderRegistry, "__getitem__",
                        lambda self, name: made.append(name.lower()) or original(self, name))
    monkeypatch.setattr(emails_module, "POLICY",
                        email.policy.default.clone(header_factory=KeptHeaderClasses()))
    kept = as_mime(queued, "Ponte <no-reply@ponte.test>").as_bytes()
    kept_again = as_mime(queued, "Ponte <no-reply@ponte.test>").as_bytes()
    assert len(made) == len(set(made)) > 5  # each header name's class made once, then kept
    monkeypatch.setattr(emails_module, "POLICY", email.policy.default)
    plain = as_mime(queued, "Ponte <no-reply@ponte.test>").as_bytes()

    def unbounded(raw: bytes) -> bytes:
        return re.sub(rb"=+\d+==", b"BOUNDARY", raw)
    assert unbounded(kept) == unbounded(kept_again) == unbounded(plain)


@pytest.mark.parametrize("event", LINKED)
def test_the_token_is_also_a_header_for_tooling_and_still_a_line_of_its_own(event):
    queued = Email.queue(_compose(event), "evt-1", f"identity.{event}",
                         datetime(2026, 11, 23, tzinfo=UTC))
    parsed = email.message_from_bytes(as_mime(queued, "Ponte <no-reply@ponte.test>").as_bytes(),
                                      policy=email.policy.default)
    assert parsed["X-Ponte-Token"] == TOKEN
    plain = parsed.get_body(preferencelist=("plain",)).get_content()
    assert re.search(r"^Token: (\S+)$", plain, re.M).group(1) == TOKEN


def test_an_email_without_a_token_has_no_token_header():
    queued = Email.queue(_compose("password_changed"), "evt-1", "identity.password_changed",
                         datetime(2026, 11, 23, tzinfo=UTC))
    assert "X-Ponte-Token" not in as_mime(queued, "Ponte <no-reply@ponte.test>")


@pytest.mark.parametrize("locale, time_zone, named", [
    ("pt-BR", "America/Sao_Paulo", "23/11/2026 às 12:30 (horário de Brasília)"),
    ("en", "America/Sao_Paulo", "2026-11-23 at 12:30 (Brasília time)"),
    ("it", "America/Sao_Paulo", "23/11/2026 alle 12:30 (ora di Brasília)"),
    ("pt-BR", "America/Recife", "23/11/2026 às 12:30 (horário de Brasília)"),
    ("pt-BR", "America/Manaus", "23/11/2026 às 11:30 (horário de Manaus)"),
    ("en", "Europe/Rome", "2026-11-23 at 16:30 (Rome time)"),
    ("it", "UTC", "23/11/2026 alle 15:30 (UTC)"),
])
def test_a_moment_names_its_time_zone_as_readers_do(locale, time_zone, named):
    for event in ("email_changed", "password_changed", "staff_created"):
        message = compose(event, {**DATA, "locale": locale, "expires_at": OCCURRED_AT},
                          public_url=PUBLIC_URL, occurred_at=OCCURRED_AT, time_zone=time_zone)
        assert named in message.text, event
        if "/" in time_zone:  # an identifier is for machines
            assert time_zone not in message.text and time_zone not in message.html


@pytest.mark.parametrize("attempts, wait", [(1, 5), (2, 10), (3, 20), (4, 40), (7, 320),
                                            (8, 600), (12, 600)])
def test_backoff_doubles_from_five_seconds_up_to_ten_minutes(attempts, wait):
    assert domain.backoff(attempts) == timedelta(seconds=wait)


def _queued() -> Email:
    return Email.queue(_compose("citizen_registered"), "evt-2", "identity.citizen_registered",
                       datetime(2026, 1, 1, tzinfo=UTC))


def test_a_successful_attempt_sends_the_email():
    queued, now = _queued(), datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    attempt = queued.record(now)
    assert (queued.status, queued.sent_at, queued.next_attempt_at) == (SENT, now, None)
    assert (attempt.number, attempt.outcome, attempt.retry_at) == (1, SENT, None)
    with pytest.raises(NotQueued):
        queued.record(now)


def test_failed_attempts_are_retried_later_and_finally_given_up():
    queued, now = _queued(), datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(1, domain.MAX_ATTEMPTS):
        attempt = queued.record(now, "ConnectionRefusedError: refused")
        assert queued.status == RETRYING
        assert attempt.retry_at == queued.next_attempt_at == now + domain.backoff(number)
        now = attempt.retry_at
    last = queued.record(now, "still refused")
    assert (queued.status, queued.attempts, last.retry_at) == (FAILED, domain.MAX_ATTEMPTS, None)
    assert queued.last_error == "still refused"
