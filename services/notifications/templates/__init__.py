"""E-mail texts per language, as plain data: Brazilian Portuguese by default, English and Italian
available (SPEC, Locale).

Each language module has ``COMMON`` (greeting, signature, footer, link expiry, date format) and
``EMAILS``: per identity event a ``subject``, ``paragraphs`` and, for e-mails carrying a link, the
``action`` that labels it. Placeholders: ``{name}``, ``{who}``, ``{new_email}``, ``{when}``.
"""
from __future__ import annotations

from typing import Any

from services.notifications.templates import en, it, pt_br

DEFAULT_LOCALE = "pt-BR"
LANGUAGES: dict[str, Any] = {"pt-BR": pt_br, "en": en, "it": it}
_BY_LANGUAGE = {"pt": "pt-BR", "en": "en", "it": "it"}


def resolve_locale(requested: str | None) -> str:
    """The supported locale closest to ``requested`` ("pt_BR", "en-US", "it-IT" ...); pt-BR when
    none fits."""
    language = (requested or "").replace("_", "-").split("-")[0].lower()
    return _BY_LANGUAGE.get(language, DEFAULT_LOCALE)


def texts(locale: str) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """(common texts, per-event texts) of a supported locale."""
    module = LANGUAGES[locale]
    return module.COMMON, module.EMAILS
