"""The pages' texts: every language has every text, placeholders agree, and the wording of the
actions matches the e-mails that link to the pages."""
from __future__ import annotations

import re

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from gateway.web import i18n
from gateway.web.render import format_document


def placeholders(value) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", value)) if isinstance(value, str) else set()


def test_every_language_has_every_text_with_the_same_placeholders():
    reference = i18n.TEXTS["pt-BR"]
    for locale, texts in i18n.TEXTS.items():
        assert set(texts) == set(reference), locale
        for key, value in texts.items():
            assert placeholders(value) == placeholders(reference[key]), (locale, key)
        assert len(texts["terms"]) == len(reference["terms"])


def test_translated_api_messages_cover_the_same_messages():
    assert set(i18n.TEXTS["it"]["api"]) == set(i18n.TEXTS["pt-BR"]["api"])
    assert i18n.api_message("pt-BR", "Must be one of: clinic, dentist.") == \
        "Escolha uma das opções."
    assert i18n.api_message("en", "Include at least one digit.") == \
        "Include at least one digit."
    assert i18n.api_message("pt-BR", "Something new.") == "Something new."


def test_language_negotiation():
    def best(header: str) -> str:
        return i18n.negotiate(parse_accept_header(header, LanguageAccept))
    assert best("") == "pt-BR"
    assert best("en-GB,en;q=0.8") == "en"
    assert best("it") == "it"
    assert best("pt-PT") == "pt-BR"
    assert best("de, fr;q=0.5") == "pt-BR"


def test_documents_are_shown_formatted():
    assert format_document("11222333000181") == "11.222.333/0001-81"
    assert format_document("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert format_document("52998224725") == "529.982.247-25"
