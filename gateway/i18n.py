"""The languages of Ponte's screens and of the JSON API's problem documents (PORTAL.md
principle 5): Brazilian Portuguese by default, English and Italian.

Texts live in gettext catalogues, ``gateway/locale/<pt_BR|en|it>/LC_MESSAGES/messages.po``,
whose message ids are the English texts. ``make i18n`` extracts the ids from the code and the
templates, updates the three catalogues and compiles them as a check. The ``.po`` files are the
only copy kept in git: each process compiles them in memory the first time a language is used
(:func:`translations`), so a clean clone works and no stale ``.mo`` can exist.

One language per request, chosen by :func:`negotiate`: the language cookie set on screen, else
``Accept-Language``, else pt-BR. :func:`translator` gives what renders in that language: texts
(:meth:`Translator.gettext`), the API's English messages (:meth:`Translator.message`, exact ids
or the templates of :mod:`gateway.messages`), whole problem documents, and, through Babel,
dates and times in the operator's time zone (``PONTE_TIMEZONE``), numbers and money.
"""
from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ponte.config import settings

DEFAULT_LOCALE = "pt-BR"
# language tag (HTML lang, Content-Language, cookie) → gettext catalogue directory
CATALOGUE = {"pt-BR": "pt_BR", "en": "en", "it": "it"}
LANGUAGE_NAMES = {"pt-BR": "Português (Brasil)", "en": "English", "it": "Italiano"}
LANGUAGE_COOKIE = "ponte_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
_OFFERED = ["pt-BR", "pt", "en", "it"]
_BY_LANGUAGE = {"pt-BR": "pt-BR", "pt": "pt-BR", "en": "en", "it": "it"}


def N_(message: str) -> str:
    """Marks a text for the catalogues where it is translated later (a label in a table)."""
    return message


# The portal's own date and date-and-time patterns (CLDR syntax), per language in the catalogues
DAY = N_("yyyy-MM-dd")
MOMENT = N_("yyyy-MM-dd 'at' HH:mm")


def from_header(accept_language: str | LanguageAccept | None) -> str:
    """The locale that fits ``Accept-Language`` best (pt-BR when nothing fits)."""
    if isinstance(accept_language, str):
        accept_language = parse_accept_header(accept_language, LanguageAccept)
    best = accept_language.best_match(_OFFERED) if accept_language else None
    return _BY_LANGUAGE.get(best or "", DEFAULT_LOCALE)


def negotiate(request: Any) -> str:
    """The request's locale: the language chosen on screen (cookie), else ``Accept-Language``."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "") if hasattr(request, "cookies") else ""
    if chosen in CATALOGUE:
        return chosen
    return from_header(request.accept_languages)


@cache
def translations(tag: str) -> gettext.GNUTranslations:
    """The catalogue of ``tag``, compiled from its ``.po`` file once per process."""
    path = LOCALE_DIR / CATALOGUE[tag] / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=CATALOGUE[tag])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The API's messages with values in them, as patterns: ``Longer than maximum length
    {max}.`` matches ``Longer than maximum length 200.``."""
    from gateway.messages import TEMPLATES

    patterns = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                        for i, part in enumerate(parts))
        patterns.append((re.compile(regex + r"\Z", re.S), template))
    return tuple(patterns)


@dataclass(frozen=True)
class Translator:
    """Everything that renders text, numbers and instants in one locale."""

    locale: str

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse(CATALOGUE[self.locale])

    # texts
    def gettext(self, message: str, **values: Any) -> str:
        """``message`` translated, with ``%(name)s`` placeholders filled from ``values``."""
        text = translations(self.locale).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = translations(self.locale).ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def message(self, text: str) -> str:
        """One of the API's English messages in this locale: an exact message id, or one of
        the templates with values (the values kept); unknown text is returned unchanged."""
        catalogue = translations(self.locale)
        translated = catalogue.gettext(text)
        if translated != text or self.locale == "en":
            return translated
        for pattern, template in _templates():
            found = pattern.match(text)
            if found:
                return catalogue.gettext(template).format(**found.groupdict())
        return text

    def problem(self, body: dict[str, Any]) -> dict[str, Any]:
        """A problem document in this locale: ``title``, ``detail`` and the field messages
        translated; ``type``, ``status`` and the field keys unchanged."""
        translated = dict(body)
        for key in ("title", "detail"):
            if isinstance(body.get(key), str):
                translated[key] = self.message(body[key])
        errors = body.get("errors")
        if isinstance(errors, dict):
            translated["errors"] = {
                field: [self.message(m) if isinstance(m, str) else m for m in messages]
                if isinstance(messages, list) else messages
                for field, messages in errors.items()}
        return translated

    # numbers, money, dates
    def number(self, value: int | float | Decimal, digits: int | None = None) -> str:
        if digits is None:
            return babel_numbers.format_decimal(value, locale=self.babel_locale)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return babel_numbers.format_decimal(value, format=pattern, locale=self.babel_locale)

    def money(self, amount: int | float | Decimal | str, currency: str = "BRL") -> str:
        """``R$ 1.234,56`` in pt-BR, ``R$1,234.56`` in English, ``1.234,56 R$`` in Italian."""
        return babel_numbers.format_currency(Decimal(str(amount)), currency,
                                             locale=self.babel_locale)

    def datetime(self, instant: datetime | str, format: str = "moment") -> str:
        """An instant as local wall time in the operator's zone (``PONTE_TIMEZONE``):
        ``07/12/2026 às 09:00`` by default; ``format`` may be Babel's (short, medium, long,
        full or a CLDR pattern)."""
        if isinstance(instant, str):
            instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))
        pattern = self.gettext(MOMENT) if format == "moment" else format
        return babel_dates.format_datetime(instant, pattern, tzinfo=operator_zone(),
                                           locale=self.babel_locale)

    def date(self, value: date | datetime | str, format: str = "day") -> str:
        """A day: ``07/12/2026`` in pt-BR and Italian, ``2026-12-07`` in English by
        default; ``format`` may be Babel's."""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10]) if len(value) <= 10 else \
                datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, datetime):
            value = value.astimezone(operator_zone()).date() if value.tzinfo else value.date()
        pattern = self.gettext(DAY) if format == "day" else format
        return babel_dates.format_date(value, pattern, locale=self.babel_locale)

    def time(self, instant: datetime | str, format: str = "short") -> str:
        if isinstance(instant, str):
            instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))
        return babel_dates.format_time(instant, format, tzinfo=operator_zone(),
                                       locale=self.babel_locale)


def operator_zone() -> ZoneInfo:
    return ZoneInfo(settings().timezone)


@cache
def translator(locale: str) -> Translator:
    """The translator of ``locale`` (a tag of :data:`CATALOGUE`; anything else is pt-BR)."""
    return Translator(locale if locale in CATALOGUE else DEFAULT_LOCALE)
