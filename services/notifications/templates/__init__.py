"""Notification texts: one Jinja2 template per notification type and language, in
``templates/<locale>/<service>.<event>.jinja`` (pt-BR by default, en and it), with the blocks

* ``title``: the inbox title, also the e-mail subject;
* ``body``: the inbox text (one paragraph);
* ``email`` (optional): the e-mail's paragraphs, separated by blank lines (default: ``body``);
* ``action`` (optional): the label of the e-mail's link button.

Each template is rendered twice: as text (inbox, text/plain e-mail) and with autoescaping for the
HTML e-mail, so a value such as a name can never inject markup. A type without a template of its
own falls back to ``_generic.jinja``. ``COMMON`` of each language module (``pt_br``, ``en``,
``it``) holds the e-mail frame: greeting, signature, footer, link expiry, date format.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, pass_context
from jinja2.exceptions import TemplateNotFound
from markupsafe import Markup

from services.notifications.templates import en, it, pt_br

DEFAULT_LOCALE = "pt-BR"
LOCALES = ("pt-BR", "en", "it")
LANGUAGES: dict[str, Any] = {"pt-BR": pt_br, "en": en, "it": it}
_BY_LANGUAGE = {"pt": "pt-BR", "en": "en", "it": "it"}
DIRECTORY = Path(__file__).resolve().parent
GENERIC = "_generic"

ROLE_LABELS = {
    "pt-BR": {"authorizations": "Autorizações", "billing": "Faturamento",
              "commercial": "Comercial", "manage_relationships": "Gerenciar relacionamentos"},
    "en": {"authorizations": "Authorizations", "billing": "Billing", "commercial": "Commercial",
           "manage_relationships": "Manage relationships"},
    "it": {"authorizations": "Autorizzazioni", "billing": "Fatturazione",
           "commercial": "Commerciale", "manage_relationships": "Gestione relazioni"},
}
DAY_FORMAT = {"pt-BR": "%d/%m/%Y", "en": "%Y-%m-%d", "it": "%d/%m/%Y"}


def resolve_locale(requested: str | None) -> str:
    """The supported locale closest to ``requested`` ("pt_BR", "en-US", "it-IT" ...); pt-BR when
    none fits."""
    language = (requested or "").replace("_", "-").split("-")[0].lower()
    return _BY_LANGUAGE.get(language, DEFAULT_LOCALE)


def common(locale: str) -> dict[str, str]:
    """The e-mail frame texts of a supported locale."""
    return LANGUAGES[locale].COMMON


@pass_context
def _role_list(context: Any, roles: Any) -> str:
    labels = ROLE_LABELS.get(context.get("locale"), ROLE_LABELS[DEFAULT_LOCALE])
    if not isinstance(roles, (list, tuple)):
        return ""
    return ", ".join(labels.get(role, str(role)) for role in roles)


@pass_context
def _day(context: Any, value: Any) -> str:
    """``2026-12-31`` in the reader's date format."""
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return parsed.strftime(DAY_FORMAT.get(context.get("locale"), DAY_FORMAT[DEFAULT_LOCALE]))


@pass_context
def _when(context: Any, value: Any) -> str:
    """An ISO-8601 instant as local time in the operator's time zone."""
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    zone = ZoneInfo(context.get("time_zone") or "America/Sao_Paulo")
    pattern = common(context.get("locale") or DEFAULT_LOCALE)["datetime"]
    return instant.astimezone(zone).strftime(pattern)


@pass_context
def _money(context: Any, value: Any) -> str:
    """A decimal string as the reader writes money: ``1.200,45`` in pt-BR and it, ``1,200.45``
    in en (exact: the text is regrouped, never turned into a float)."""
    text = str(value or "")
    negative = text.startswith("-")
    whole, _, cents = (text[1:] if negative else text).partition(".")
    if not whole.isdigit() or (cents and not cents.isdigit()):
        return text
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    cents = (cents + "00")[:2] if cents else "00"
    thousands, decimal = (",", ".") if context.get("locale") == "en" else (".", ",")
    return f"{'-' if negative else ''}{thousands.join(groups)}{decimal}{cents}"


def _environment(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(str(DIRECTORY)),  # nosec B701 # below
                      autoescape=autoescape,  # False only for the text/plain part
                      undefined=ChainableUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=False, auto_reload=False)
    env.filters.update(role_list=_role_list, day=_day, when=_when, money=_money)
    return env


TEXT = _environment(autoescape=False)
HTML = _environment(autoescape=True)


@dataclass(frozen=True)
class Rendered:
    locale: str
    title: str
    body: str
    paragraphs: list[str]          # of the e-mail, as text
    action: str | None
    html: Callable[[], list[Markup]] = field(repr=False, compare=False, default=list)
    """Renders the paragraphs escaped for HTML: only an e-mail needs them, so an inbox item
    whose recipient gets no e-mail does not pay for the second rendering."""

    @cached_property
    def html_paragraphs(self) -> list[Markup]:
        return self.html()


def template_name(notification_type: str, locale: str) -> str:
    return f"{locale}/{notification_type}.jinja"


def has_template(notification_type: str, locale: str = DEFAULT_LOCALE) -> bool:
    return (DIRECTORY / template_name(notification_type, locale)).is_file()


def _blocks(env: Environment, notification_type: str, locale: str,
            context: Mapping[str, Any]) -> dict[str, str]:
    try:
        template = env.get_template(template_name(notification_type, locale))
    except TemplateNotFound:
        template = env.get_template(template_name(GENERIC, locale))
    ctx = template.new_context(dict(context))
    return {name: "".join(render(ctx)).strip() for name, render in template.blocks.items()}


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def render(notification_type: str, locale: str, context: Mapping[str, Any]) -> Rendered:
    """The texts of a notification in ``locale`` (any value; resolved to a supported one)."""
    locale = resolve_locale(locale)
    context = {**context, "locale": locale}
    text = _blocks(TEXT, notification_type, locale, context)
    title = " ".join(text.get("title", "").split())[:300]

    def html() -> list[Markup]:
        blocks = _blocks(HTML, notification_type, locale, context)
        return [Markup(p) for p in  # nosec B704 # autoescaped HTML
                _paragraphs(blocks.get("email") or blocks.get("body", ""))]
    return Rendered(locale=locale, title=title, body=text.get("body", ""),
                    paragraphs=_paragraphs(text.get("email") or text.get("body", "")),
                    action=text.get("action") or None, html=html)
