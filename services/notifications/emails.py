"""Composing notification e-mails from the templates: pure functions, no broker, no database.

E-mails that carry a link give the full URL ``{public_url}/<path>?token=<token>`` and the token on
a line of its own, ``Token: <token>`` (API.md, "Running it").
"""
from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy as email_policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from services.notifications.domain.email import Email, Message
from services.notifications.domain.incoming import recipient
from services.notifications.domain.zones import zone_name
from services.notifications.templates import Rendered, common, render, resolve_locale

LINKS = {
    "provider_invited": "/registration",
    "staff_created": "/password-reset",
    "password_reset_requested": "/password-reset",  # nosec B105 # a URL path
}
EVENTS = ("provider_invited", "staff_created", "password_reset_requested", "account_deleted",
          "provider_registered", "secretary_registered", "citizen_registered",
          "password_changed", "email_changed")


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    token: str | None
    expiry: str | None


def link_to(public_url: str, event_type: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{LINKS[event_type]}?token={quote(token, safe='')}"


def mask(address: str) -> str:
    """``joana@example.com`` → ``j***@example.com``: the old mailbox learns which address took
    over without reading it in full."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def moment(value: str | None, pattern: str, zone: ZoneInfo, zone_pattern: str) -> str | None:
    """An ISO-8601 instant as local time in the operator's time zone, named as readers name it
    (``zone_pattern``: the language's "horário de {city}"), or None if unreadable."""
    try:
        instant = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return f"{instant.astimezone(zone).strftime(pattern)} ({zone_name(zone.key, zone_pattern)})"


def _who(name: str, site_name: str | None, site_label: str) -> str:
    """A provider's name, with the site when it has a name of its own: "Clínica X (unidade Y)"."""
    if site_name and site_name != name:
        return f"{name} ({site_label.format(site_name=site_name)})"
    return name


def texts_for(notification_type: str, data: Mapping[str, Any], *, occurred_at: str,
              time_zone: str = "America/Sao_Paulo", locale: str | None = None,
              name: str | None = None) -> Rendered:
    """A notification's title, body and e-mail paragraphs in the reader's language. Identity's
    templates speak of the account the event is about (``name``, ``who``: the provider with its
    site, ``new_email`` masked, ``when`` in local time); ``name`` defaults to that account's."""
    notification_type = notification_type if "." in notification_type \
        else f"identity.{notification_type}"
    locale = resolve_locale(locale or data.get("locale"))
    frame = common(locale)
    zone = ZoneInfo(time_zone)
    name = (data.get("name") if name is None else name) or ""
    context = {
        **data,
        "name": name,
        "who": _who(name, data.get("site_name"), frame["site"]),
        "new_email": mask(data.get("new_email") or ""),
        "when": moment(occurred_at, frame["datetime"], zone, frame["zone"]) or "",
        "time_zone": time_zone,
    }
    return render(notification_type, locale, context)


def compose(event_type: str, data: Mapping[str, Any], *, public_url: str, occurred_at: str,
            time_zone: str = "America/Sao_Paulo", to: str | None = None,
            locale: str | None = None, name: str | None = None,
            link: str | None = None, texts: Rendered | None = None) -> Message:
    """The e-mail of a notification type (``<service>.<event>``; a bare event name is
    identity's) for one recipient, from its template in the recipient's locale (pt-BR by
    default; ``texts`` when already rendered for the inbox). Identity's e-mails go to the
    address the event names; others to ``to``, with the resource's ``link`` (an API path) as a
    full URL."""
    notification_type = event_type if "." in event_type else f"identity.{event_type}"
    source, _, event = notification_type.partition(".")
    identity = source == "identity"
    if texts is None:
        texts = texts_for(notification_type, data, occurred_at=occurred_at,
                          time_zone=time_zone, locale=locale,
                          name=None if identity else (name or ""))
    locale = texts.locale
    frame = common(locale)
    zone = ZoneInfo(time_zone)
    name = (data.get("name") if identity and name is None else name) or ""
    action = None
    if identity and event in LINKS:
        expiry = moment(data.get("expires_at"), frame["datetime"], zone, frame["zone"])
        action = Action(texts.action or frame["open"], link_to(public_url, event, data["token"]),
                        data["token"], frame["expires"].format(expires_at=expiry) if expiry
                        else None)
    elif link:
        action = Action(frame["open"], f"{public_url.rstrip('/')}{link}", None, None)
    greeting = frame["greeting"].format(name=name) if name else frame["greeting_anonymous"]
    frame_parts = (greeting, action, frame["signature"], frame["footer"])
    address = recipient(event, data) if identity and to is None else to
    return Message(recipient=address or "", subject=texts.title,
                   text=_text(frame_parts[0], texts.paragraphs, *frame_parts[1:]),
                   html=_html(locale, texts.title, frame_parts[0], texts.html_paragraphs,
                              *frame_parts[1:]),
                   locale=locale, token=action.token if action else None)


def _text(greeting: str, paragraphs: list[str], action: Action | None, signature: str,
          footer: str) -> str:
    blocks = [greeting, *paragraphs]
    if action:
        blocks.append(f"{action.label}:\n{action.url}")
        if action.token:
            blocks.append(f"Token: {action.token}")
        if action.expiry:
            blocks.append(action.expiry)
    blocks += [signature, footer]
    return "\n\n".join(blocks) + "\n"


_PAGE = ("font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5; "
         "color: #1f2933; max-width: 600px; margin: 0 auto; padding: 24px;")
_BUTTON = ("display: inline-block; padding: 10px 20px; background: #0b5394; color: #ffffff; "
           "text-decoration: none; border-radius: 4px; font-weight: bold;")
_SMALL = "font-size: 12px; color: #6b7280; word-break: break-all;"


def _html(locale: str, subject: str, greeting: str, paragraphs: list[str],
          action: Action | None, signature: str, footer: str) -> str:
    escape = html.escape
    # the paragraphs come from the autoescaping template environment: already safe HTML
    parts = [f"<p>{escape(greeting)}</p>", *(f"<p>{p}</p>" for p in paragraphs)]
    if action:
        url = escape(action.url)
        parts += [f'<p><a href="{url}" style="{_BUTTON}">{escape(action.label)}</a></p>',
                  f'<p style="{_SMALL}">{url}</p>']
        if action.token:
            parts.append(f"<p>Token: <code>{escape(action.token)}</code></p>")
        if action.expiry:
            parts.append(f"<p>{escape(action.expiry)}</p>")
    parts += ["<p>" + "<br>".join(escape(line) for line in signature.splitlines()) + "</p>",
              f'<p style="{_SMALL}">{escape(footer)}</p>']
    return (f'<!DOCTYPE html>\n<html lang="{locale}">\n<head><meta charset="utf-8">'
            f"<title>{escape(subject)}</title></head>\n<body style=\"{_PAGE}\">\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")


class _KeptFolds(BaseHeader):
    """A header that keeps its folded text for each line length, line end and ``utf8`` (what
    folding depends on): a header made once is folded once."""

    def fold(self, *, policy: email_policy.Policy) -> str:
        folds = self.__dict__.setdefault("_folds", {})
        key = (policy.max_line_length, policy.linesep, policy.utf8)
        if key not in folds:
            folds[key] = super().fold(policy=policy)
        return folds[key]


class KeptHeaderClasses(HeaderRegistry):
    """The standard library's header registry builds a new class for every header it is asked
    for, and parses and folds every header anew (most of the time a message takes to build and
    write, issue 21). Here the class made for a header name is kept, and the last 1,024 headers
    made from a (name, text) pair, with their folds: the sender, the MIME headers, the types
    and languages recur in every message. Header objects are immutable, so messages can share
    them; they come out byte for byte the same."""

    def __init__(self) -> None:
        super().__init__(base_class=_KeptFolds)
        self._made: dict[str, type] = {}
        self._kept = functools.lru_cache(maxsize=1024)(self._make)

    def __getitem__(self, name: str) -> type:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> BaseHeader:
        return self._kept(name, value) if type(value) is str else self._make(name, value)

    def _make(self, name: str, value: Any) -> BaseHeader:
        return self[name](name, value)


POLICY = email_policy.default.clone(header_factory=KeptHeaderClasses())
"""``email.policy.default`` with :class:`KeptHeaderClasses`."""


def as_mime(email: Email, sender: str) -> EmailMessage:
    """The RFC 5322 message for an e-mail; its Message-ID is stable, so a copy handed over twice
    after a crash is recognisable as the same message."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "ponte.local"
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = f"<{email.id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Ponte-Notification-Type"] = email.notification_type
    message["X-Ponte-Event-Id"] = email.event_id
    if email.token:
        message["X-Ponte-Token"] = email.token
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    message["Content-Language"] = email.locale  # after the body, so it stays on the whole message
    return message
