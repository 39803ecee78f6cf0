"""The notification rules as tables: who is told of each event (audiences), which types an
account can receive and switch off, and every template rendered in every language."""
from __future__ import annotations

import pytest

from services.notifications.domain.catalogue import (
    SECURITY_TYPES,
    TYPES,
    PreferenceError,
    check_changes,
    email_enabled,
    preferences_view,
    receivable,
)
from services.notifications.domain.routing import Audience, audience_of
from services.notifications.emails import compose
from services.notifications.templates import LOCALES, has_template, render

RELATIONSHIP = {"provider_id": "p-1", "provider_legal_name": "Clínica Sorriso",
                "provider_account_ids": ["login-1", "login-2"], "secretary_id": "sec-1",
                "secretary_name": "Ana", "secretary_email": "ana@ponte.test",
                "secretary_locale": "pt-BR", "roles": ["billing"], "invitation_id": "i-1"}
PROVIDER_SIDE = dict(accounts=("login-1", "login-2"), provider_id="p-1",
                     provider_roles=("manage_relationships",))


@pytest.mark.parametrize("event_type, changes, expected", [
    ("invitation_sent", {}, Audience(accounts=("sec-1",))),
    ("relationship_roles_changed", {"actor_account_id": None}, Audience(accounts=("sec-1",))),
    ("invitation_accepted", {}, Audience(**PROVIDER_SIDE, exclude=frozenset({"sec-1"}))),
    ("invitation_declined", {}, Audience(**PROVIDER_SIDE, exclude=frozenset({"sec-1"}))),
    ("relationship_ended", {"ended_by": "provider", "actor_account_id": "login-1"},
     Audience(accounts=("sec-1",), exclude=frozenset({"login-1"}))),
    ("relationship_ended", {"ended_by": "secretary", "actor_account_id": "sec-1"},
     Audience(**PROVIDER_SIDE, exclude=frozenset({"sec-1"}))),
    ("relationship_ended", {"ended_by": "account_deleted", "actor_account_id": None},
     Audience(**{**PROVIDER_SIDE, "accounts": ("login-1", "login-2", "sec-1")})),
    ("relationship_expired", {},
     Audience(**{**PROVIDER_SIDE, "accounts": ("login-1", "login-2", "sec-1")})),
    ("invitation_cancelled", {"reason": "account_deleted"},
     Audience(**{**PROVIDER_SIDE, "accounts": ("login-1", "login-2", "sec-1")})),
])
def test_who_is_told_of_a_relationship_event(event_type, changes, expected):
    assert audience_of("relationships", event_type, {**RELATIONSHIP, **changes}) == expected


@pytest.mark.parametrize("event_type, told", [
    ("password_reset_requested", ("a-1",)), ("password_changed", ("a-1",)),
    ("email_changed", ("a-1",)), ("staff_created", ("a-1",)),
    ("provider_invited", ("a-1",)), ("account_deleted", ("a-1",)),
    ("account_updated", ()), ("sessions_revoked", ()), ("provider_preregistered", ()),
])
def test_who_is_told_of_an_identity_event(event_type, told):
    assert audience_of("identity", event_type, {"account_id": "a-1"}).accounts == told


def test_other_services_name_their_audience_and_anything_malformed_is_nobody():
    data = {"audience": {"accounts": ["c-1"], "provider": {"id": "p-9", "roles": ["billing"]},
                         "staff_roles": ["auditor"]}, "actor_account_id": "s-7"}
    assert audience_of("authorizations", "payment_registered", data) == Audience(
        accounts=("c-1",), provider_id="p-9", provider_roles=("billing",),
        staff_roles=("auditor",), exclude=frozenset({"s-7"}))
    for audience in (None, "everyone", {"accounts": "c-1", "provider": ["p"],
                                        "staff_roles": [1]}):
        assert audience_of("attendance", "rating_submitted", {"audience": audience}).empty


def test_preferences_list_per_kind_and_security_types_stay_on():
    assert SECURITY_TYPES == {"identity.password_reset_requested", "identity.password_changed",
                              "identity.email_changed"}
    for kind in ("provider", "secretary", "citizen", "staff"):
        types = receivable(kind)
        assert SECURITY_TYPES <= set(types)
        assert all(kind in TYPES[t].kinds for t in types)
    assert "notifications.bulletin_published" in receivable("provider")
    assert "notifications.bulletin_published" not in receivable("citizen")
    assert "attendance.appointment_booked" in receivable("citizen")
    view = preferences_view("citizen", {"attendance.follow_up_added": False,
                                        "identity.password_changed": False}, False)
    assert view["email"]["attendance.follow_up_added"] is False
    assert view["email"]["identity.password_changed"] is True  # stored off, still on
    assert all(v for k, v in view["email"].items() if k != "attendance.follow_up_added")
    assert email_enabled("relationships.invitation_sent", {}) is True


@pytest.mark.parametrize("changes, errors", [
    ({"identity.password_changed": False}, {"email.identity.password_changed"}),
    ({"identity.email_changed": False, "identity.nope": True},
     {"email.identity.email_changed", "email.identity.nope"}),
    ({"relationships.invitation_sent": "no"}, {"email.relationships.invitation_sent"}),
    ({"attendance.follow_up_added": False}, {"email.attendance.follow_up_added"}),  # citizens'
])
def test_invalid_preference_changes_are_refused_by_type(changes, errors):
    with pytest.raises(PreferenceError) as refused:
        check_changes("secretary", changes)
    assert set(refused.value.errors) == errors


def test_valid_preference_changes_are_kept_as_sent():
    assert check_changes("secretary", {"identity.password_changed": True,
                                       "relationships.invitation_sent": False}) == {
        "identity.password_changed": True, "relationships.invitation_sent": False}


SAMPLE = {  # every field any template reads, with markup where a person could type it
    "account_id": "a-1", "name": "Joana <b>Silva</b>", "email": "joana@ponte.test",
    "old_email": "old@ponte.test", "new_email": "new@ponte.test", "token": "tok-1",
    "expires_at": "2026-12-03T12:00:00Z", "site_name": "Centro", "kind": "provider",
    "provider_legal_name": "Clínica <Sorriso>", "secretary_name": "Ana <i>Lima</i>",
    "roles": ["billing", "commercial"], "previous_roles": ["billing"], "until": "2027-01-31",
    "ended_by": "provider", "number": "00000042", "protocol": "32447720261201000042",
    "status": "awaiting_audit", "code": "ABCD-1234", "valid_until": "2027-03-01",
    "justification": "Falta <script>alert(1)</script> radiografia", "reason": "duplicada",
    "author_name": "Auditor", "message": "Envie a radiografia", "amount_paid": "123.45",
    "invoice_number": "NF-1", "paid_on": "2026-12-01", "subject": "Revisão",
    "due_at": "2026-12-02T15:00:00Z", "service_name": "Segunda via", "institution_name": "SEFIN",
    "servant_name": "Rui", "citizen_name": "Cida", "attendant_name": "Tina",
    "starts_at": "2026-12-10T13:30:00Z", "join_url": "https://meet.jit.si/ponte-abc",
    "note": "Concluído", "score": 5, "comment": "ótimo", "approved": True,
    "title": "Nova tabela", "body": "Vale a partir de janeiro.", "cancelled_by": "citizen",
    "assigned_attendant_name": "Tina", "conclusion_note": "Concluído", "rating_status": "approved",
    "author_side": "operator", "attachments": 2, "notes": "Dor no <b>dente</b> 36",
    "patient_messages": True,
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("notification_type", sorted(TYPES))
def test_every_type_renders_in_every_language(notification_type, locale):
    assert has_template(notification_type, locale), "each type has a file per language"
    texts = render(notification_type, locale, SAMPLE)
    assert texts.locale == locale
    assert texts.title and texts.body and texts.paragraphs
    assert "{{" not in texts.title + texts.body and "{%" not in texts.body
    message = compose(notification_type, SAMPLE, public_url="https://ponte.example",
                      occurred_at="2026-12-01T12:00:00Z", to="x@ponte.test", locale=locale,
                      name="Joana", link="/api/v1/me")
    assert message.subject == texts.title
    for markup in ("<script>", "<i>", "<Sorriso>", "<b>"):
        assert markup not in message.html  # values typed by people are escaped


def test_templates_escape_values_in_html_and_keep_them_as_text_elsewhere():
    data = {**SAMPLE, "status": "denied"}
    texts = render("authorizations.request_denied", "en", data)
    assert "<script>alert(1)</script>" in texts.body  # the inbox is JSON text, not HTML
    message = compose("authorizations.request_denied", data, public_url="https://p.example",
                      occurred_at="2026-12-01T12:00:00Z", to="x@ponte.test", locale="en",
                      name="A <b>", link="/api/v1/authorization-requests/1")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<script>" not in message.html
    assert "https://p.example/api/v1/authorization-requests/1" in message.text
    assert message.subject == "Request 00000042 denied"


def test_texts_follow_the_language_and_fall_back_to_portuguese():
    for locale, title in (("pt-BR", "Convite de Clínica <Sorriso>"),
                          ("en", "Invitation from Clínica <Sorriso>"),
                          ("it", "Invito da Clínica <Sorriso>"),
                          ("de", "Convite de Clínica <Sorriso>"), (None, "Convite de "
                                                                        "Clínica <Sorriso>")):
        assert render("relationships.invitation_sent", locale, SAMPLE).title == title
    assert "Faturamento, Comercial" in render("relationships.invitation_sent", "pt-BR",
                                              SAMPLE).body
    assert render("attendance.meeting_scheduled", "pt-BR", SAMPLE).body.count("10/12/2026") == 1
    unknown = render("attendance.something_new", "en", SAMPLE)
    assert unknown.title == "New notification"


def test_a_patients_words_reach_only_a_provider_who_opted_in():
    opted_in = render("attendance.appointment_booked", "pt-BR", SAMPLE).body
    assert "Mensagem do paciente: Dor no <b>dente</b> 36" in opted_in
    not_opted = render("attendance.appointment_booked", "pt-BR",
                       {**SAMPLE, "patient_messages": False}).body
    assert "Dor no" not in not_opted and "Cida agendou um atendimento" in not_opted


@pytest.mark.parametrize("author_side, expected", [
    ("operator", "A operadora enviou um documento na solicitação 00000042, com 2 anexo(s)."),
    ("provider", "Clínica <Sorriso> enviou um documento na solicitação 00000042, com 2 anexo(s)."),
])
def test_an_interaction_says_which_side_wrote(author_side, expected):
    texts = render("authorizations.interaction_added", "pt-BR",
                   {**SAMPLE, "author_side": author_side, "kind": "document"})
    assert (texts.title, texts.body) == ("Novo documento na solicitação 00000042", expected)


@pytest.mark.parametrize("locale, amount, expected", [
    ("pt-BR", "1200.45", "R$ 1.200,45"), ("it", "1234567.5", "R$ 1.234.567,50"),
    ("en", "1200.45", "R$ 1,200.45"), ("pt-BR", "7", "R$ 7,00"), ("pt-BR", "abc", "R$ abc"),
])
def test_money_is_written_the_readers_way(locale, amount, expected):
    body = render("authorizations.payment_registered", locale,
                  {"amount_paid": amount}).body
    assert expected in body
