"""Rendering HTML: Jinja2 templates with autoescaping and the gettext catalogues, the filters
that format money, numbers and instants in the visitor's locale, and the security headers
every page carries (PORTAL.md principle 4)."""
from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from werkzeug.wrappers import Request, Response

from gateway.i18n import LANGUAGE_NAMES, MOMENT, N_, Translator, negotiate, translations, translator
from ponte.config import settings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

# No inline script or style, nothing from another origin, never inside a frame.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",  # a link page's token is in its address
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# labels of the link pages' fields and choices (message ids of the catalogues)
FIELD_LABELS = {"provider_type": N_("Provider type"), "sex": N_("Sex"), "email": N_("E-mail"),
                "secondary_email": N_("Secondary e-mail"),
                "password": N_("Password"),
                "password_confirmation": N_("Confirm password"),
                "accepted_terms": N_("terms and conditions of use")}
PROVIDER_TYPE_LABELS = {"clinic": N_("Practice/Clinic"), "cooperative": N_("Cooperative"),
                        "supplier": N_("Supplier"), "hospital": N_("Hospital"),
                        "laboratory": N_("Laboratory"), "dentist": N_("Dentist")}
SEX_LABELS = {"female": N_("Female"), "male": N_("Male")}
RULE_LABELS = {"length": N_("at least 6 characters"), "letter": N_("at least one letter"),
               "digit": N_("at least one digit"),
               "special": N_("at least one special character, such as # or !")}
CLIENT_TEXTS = {"errors_title": N_("This could not be completed. Please correct what is shown:"),
                "error_network": N_("The server could not be reached. Check your connection "
                                    "and try again."),
                "error_generic": N_("Something went wrong on our side. Please try again in a "
                                    "moment."),
                "error_busy": N_("Too many attempts in a row. Please wait a little and try "
                                 "again."),
                "sending": N_("Sending…"), "rule_met": N_("met"), "rule_unmet": N_("missing"),
                "match_ok": N_("The passwords match."),
                "match_no": N_("The passwords do not match yet."),
                "new_item": N_("New notification"), "close": N_("Close")}

GLOBALS = {"new_key": lambda: secrets.token_urlsafe(24), "field_labels": FIELD_LABELS,
           "provider_type_labels": PROVIDER_TYPE_LABELS,
           "sex_labels": SEX_LABELS, "rule_labels": RULE_LABELS,
           "language_names": LANGUAGE_NAMES}


@cache
def _localized(locale: str) -> Environment:
    """The portal's Jinja2 environment speaking ``locale`` (one per locale: a compiled
    template keeps the gettext and filters of the environment that compiled it)."""
    t = translator(locale)
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.globals.update(GLOBALS)
    env.filters.update(money=t.money, number=t.number, datetime=t.datetime, date=t.date,
                       time=t.time, document=format_document, api_message=t.message)
    catalogue = translations(locale)
    env.install_gettext_callables(catalogue.gettext, catalogue.ngettext, newstyle=True)
    return env


def format_document(document: str) -> str:
    """A CNPJ as ``12.345.678/0001-95`` (letters allowed), a CPF as ``123.456.789-09``."""
    if len(document) == 14:
        return f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"
    if len(document) == 11:
        return f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}"
    return document


class Page:
    """What one request renders with: its locale, texts and formats.

    In templates: ``_("text")`` / ``_("Hi %(name)s", name=n)`` and ``ngettext``; the filters
    ``money`` (``{{ amount|money }}`` → R$ 1.234,56; ``|money("EUR")``), ``number``,
    ``datetime`` / ``date`` / ``time`` (ISO text or datetime; the operator's time zone;
    ``|datetime("medium")``), ``document`` (CPF/CNPJ punctuation) and ``api_message``."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.locale = negotiate(request)
        self.translator: Translator = translator(self.locale)
        self.csrf = ""  # the session's anti-forgery token, set by the screen when signed in

    def gettext(self, message: str, **values: Any) -> str:
        return self.translator.gettext(message, **values)

    def moment(self, instant: Any) -> str:
        """An instant as the visitor reads it: local date and time in the operator's zone."""
        return self.translator.datetime(instant)

    def day(self, value: Any) -> str:
        return self.translator.date(value)

    def api_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Field messages of a problem document in the page's language."""
        return {field: [self.translator.message(m) for m in messages]
                for field, messages in errors.items()}

    def client_texts(self) -> str:
        """What the page script needs to speak the visitor's language, as JSON."""
        texts = {key: self.gettext(text) for key, text in CLIENT_TEXTS.items()}
        texts["locale"], texts["time_zone"] = self.locale, settings().timezone
        texts["moment"] = self.gettext(MOMENT)
        return json.dumps(texts, ensure_ascii=False)

    def context(self) -> dict[str, Any]:
        """What every template gets; the signed-in header's values are the screen's."""
        return {"page": self, "lang": self.locale, "here": self.request.path, "csrf": self.csrf,
                "signed_in": False, "person": None, "menu": [], "unread": 0}

    def html(self, template: str, **context: Any) -> str:
        return _localized(self.locale).get_template(template).render(
            {**self.context(), **context})

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        response = Response(self.html(template, **context), status=status,
                            mimetype="text/html")
        secure(response)
        response.headers["Content-Language"] = self.locale
        response.vary.update(("Accept-Language", "Cookie"))
        return response


def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
