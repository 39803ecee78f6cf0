"""The gettext catalogues of the portal and the API: every message translated in pt-BR and
Italian with the same placeholders, language negotiation, locale-aware money and dates, and
problem documents in the caller's language."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

from babel.messages.pofile import read_po
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.i18n import CATALOGUE, LOCALE_DIR, from_header, negotiate, translator
from gateway.problems import PROBLEM, localize
from gateway.web.render import format_document


def catalogue(directory: str):
    with (LOCALE_DIR / directory / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s|\{(\w+)\}", text))


def test_every_message_is_translated_using_only_its_placeholders():
    template = {m.id for m in read_po((LOCALE_DIR / "messages.pot").open("rb")) if m.id}
    for directory in ("pt_BR", "it"):
        messages = {m.id: m.string for m in catalogue(directory) if m.id}
        assert set(messages) == template, directory
        for msgid, text in messages.items():
            assert text, (directory, msgid)
            assert placeholders(text) <= placeholders(msgid), (directory, msgid)
    assert {m.id for m in catalogue("en") if m.id} == template


def test_the_link_pages_and_the_screens_speak_from_the_catalogues():
    assert translator("pt-BR").gettext("Keep me signed in") == "Mantenha-me conectado"
    assert translator("pt-BR").gettext("Forgot my password") == "Esqueci minha senha"
    assert translator("it").gettext("Sign out") == "Esci"
    assert translator("en").gettext("Sign out") == "Sign out"
    assert translator("pt-BR").gettext("Hello, %(name)s.", name="Ana") == "Olá, Ana."


def test_language_negotiation():
    assert from_header("") == "pt-BR"
    assert from_header(None) == "pt-BR"
    assert from_header("en-GB,en;q=0.8") == "en"
    assert from_header("it") == "it"
    assert from_header("pt-PT") == "pt-BR"
    assert from_header("de, fr;q=0.5") == "pt-BR"


def test_the_language_chosen_on_screen_wins_over_accept_language():
    def request(cookie: str | None) -> Request:
        headers = {"Accept-Language": "it"}
        if cookie:
            headers["Cookie"] = f"ponte_lang={cookie}"
        return Request(EnvironBuilder(path="/", headers=headers).get_environ())
    assert negotiate(request(None)) == "it"
    assert negotiate(request("en")) == "en"
    assert negotiate(request("xx")) == "it"
    assert set(CATALOGUE) == {"pt-BR", "en", "it"}


def test_money_and_numbers_follow_the_locale():
    assert translator("pt-BR").money("1234.56") == "R$\xa01.234,56"
    assert translator("en").money(1234.56) == "R$1,234.56"
    assert translator("it").money("1234.56", "EUR") == "1.234,56\xa0€"
    assert translator("pt-BR").number(1234.5, 2) == "1.234,50"


def test_instants_are_shown_in_the_operators_time_zone():
    instant = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo
    assert translator("pt-BR").datetime(instant) == "07/12/2026 às 09:00"
    assert translator("pt-BR").datetime("2026-12-07T12:00:00Z") == "07/12/2026 às 09:00"
    assert translator("en").datetime(instant) == "2026-12-07 at 09:00"
    assert translator("it").datetime(instant, "short") == "07/12/26, 09:00"
    assert translator("pt-BR").time(instant) == "09:00"
    assert translator("pt-BR").date(date(2026, 12, 1)) == "01/12/2026"
    assert translator("en").date("2026-12-01") == "2026-12-01"
    assert translator("en").date("2026-12-01", "medium") == "Dec 1, 2026"


def test_api_messages_are_translated_exactly_or_by_template_keeping_the_values():
    pt = translator("pt-BR")
    assert pt.message("Missing data for required field.") == "Campo obrigatório."
    assert pt.message("Not a valid string.") == "Valor inválido."
    assert pt.message("Longer than maximum length 200.") == "Use no máximo 200 caracteres."
    assert pt.message("Must be one of: clinic, dentist.") == "Escolha uma das opções."
    assert pt.message("Something new.") == "Something new."
    assert translator("en").message("Missing data for required field.") == \
        "Missing data for required field."


def problem(errors: dict | None = None) -> Response:
    body = {"type": "https://ponte.dev/problems/422", "title": "Invalid input", "status": 422,
            "detail": "Some fields are invalid: cpf, email.",
            "errors": errors or {"cpf": ["Missing data for required field."],
                                 "email": ["Not a valid email address."]}}
    return Response(json.dumps(body), status=422, mimetype=PROBLEM)


def test_a_problem_follows_accept_language_and_keeps_type_status_and_keys():
    answers = {header: json.loads(localize(problem(), header).get_data())
               for header in ("en", "it", "pt-BR", None)}
    assert answers["en"]["title"] == "Invalid input"
    assert answers["en"]["errors"]["cpf"] == ["Missing data for required field."]
    assert answers["pt-BR"] == answers[None]
    assert answers["pt-BR"]["title"] == "Dados inválidos"
    assert answers["pt-BR"]["detail"] == "Alguns campos são inválidos: cpf, email."
    assert answers["pt-BR"]["errors"]["cpf"] == ["Campo obrigatório."]
    assert answers["it"]["title"] == "Dati non validi"
    assert answers["it"]["errors"]["cpf"] == ["Campo obbligatorio."]
    for answer in answers.values():
        assert answer["type"] == "https://ponte.dev/problems/422" and answer["status"] == 422
        assert set(answer["errors"]) == {"cpf", "email"}
    assert localize(problem(), "it").headers["Content-Language"] == "it"


def test_answers_that_are_not_problems_are_left_alone():
    answer = Response('{"title": "Invalid input"}', mimetype="application/json")
    assert localize(answer, "pt-BR").get_data() == b'{"title": "Invalid input"}'


def test_documents_are_shown_formatted():
    assert format_document("11222333000181") == "11.222.333/0001-81"
    assert format_document("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert format_document("52998224725") == "529.982.247-25"
