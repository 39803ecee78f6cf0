"""Rendering the pages: Jinja2 templates with autoescaping, the texts of the visitor's language
and the security headers every page carries."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from werkzeug.wrappers import Request, Response

from gateway.pages import i18n
from ponte.clock import to_local
from ponte.config import settings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

# No inline script or style, nothing from another origin, never inside a frame.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",  # the token is in the address of the page
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The name a field's error is listed under in the error summary (a key of the texts).
FIELD_LABELS = {"provider_type": "provider_type", "sex": "sex", "email": "email",
                "secondary_email": "secondary_email",
                "password": "password",  # nosec B105 # a field name
                "password_confirmation": "password_confirmation",  # nosec B105 # a field name
                "accepted_terms": "accept_terms_link"}

_environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                           autoescape=select_autoescape(["html"], default=True),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def format_document(document: str) -> str:
    """A CNPJ as ``12.345.678/0001-95`` (letters allowed), a CPF as ``123.456.789-09``."""
    if len(document) == 14:
        return f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"
    if len(document) == 11:
        return f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}"
    return document


class Page:
    """What one request renders with: its locale and texts."""

    def __init__(self, request: Request) -> None:
        self.locale = i18n.negotiate(request.accept_languages)
        self.texts = i18n.TEXTS[self.locale]

    def t(self, key: str, **values: Any) -> str:
        text = self.texts[key]
        return text.format(**values) if values else text

    def moment(self, instant: datetime) -> str:
        """An instant as the visitor reads it: local wall time in the operator's zone."""
        return to_local(instant).strftime(self.texts["datetime"])

    def day(self, value: Any) -> str:
        return value.strftime(self.texts["date"])

    def api_errors(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        return {field: [i18n.api_message(self.locale, m) for m in messages]
                for field, messages in errors.items()}

    def client_texts(self) -> str:
        """What the page script needs to speak the visitor's language, as JSON."""
        keys = ("errors_title", "error_network", "error_generic", "error_busy", "sending",
                "rule_met", "rule_unmet", "match_ok", "match_no", "datetime")
        texts = {key: self.texts[key] for key in keys if key in self.texts}
        texts["api"], texts["api_choice"] = self.texts["api"], self.texts["api_choice"]
        texts["locale"], texts["time_zone"] = self.locale, settings().timezone
        return json.dumps(texts, ensure_ascii=False)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        html = _environment.get_template(template).render(
            page=self, t=self.t, lang=self.locale, field_labels=FIELD_LABELS, **context)
        response = Response(html, status=status, mimetype="text/html")
        secure(response)
        response.headers["Content-Language"] = self.locale
        response.headers["Vary"] = "Accept-Language"
        return response


def secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response
