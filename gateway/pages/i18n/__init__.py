"""The pages' texts per language: Brazilian Portuguese by default, English and Italian by
``Accept-Language`` (SPEC, Locale). The wording follows the e-mails that link to these pages
(services/notifications/templates)."""
from __future__ import annotations

from typing import Any

from gateway.pages.i18n import en, it, pt_br

DEFAULT_LOCALE = "pt-BR"
TEXTS: dict[str, dict[str, Any]] = {"pt-BR": pt_br.TEXTS, "en": en.TEXTS, "it": it.TEXTS}
_OFFERED = ["pt-BR", "pt", "en", "it"]
_BY_LANGUAGE = {"pt-BR": "pt-BR", "pt": "pt-BR", "en": "en", "it": "it"}


def negotiate(accept_language: Any) -> str:
    """The locale for werkzeug's parsed ``Accept-Language`` (pt-BR when nothing fits)."""
    best = accept_language.best_match(_OFFERED) if accept_language else None
    return _BY_LANGUAGE.get(best or "", DEFAULT_LOCALE)


def api_message(locale: str, message: str) -> str:
    """A message of the API's problem document in the page's language, when known."""
    texts = TEXTS[locale]
    if message.startswith("Must be one of:"):
        return texts["api_choice"]
    return texts["api"].get(message, message)
