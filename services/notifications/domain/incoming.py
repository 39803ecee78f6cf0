"""An event as the notifications service sees it, and the person one of its notices is for."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ponte.roles import SECRETARY


def recipient(event_type: str, data: Mapping[str, Any]) -> str:
    """Whom identity's e-mail about an account goes to: the account's address; for a changed
    e-mail, the old one."""
    return data["old_email"] if event_type == "email_changed" else data["email"]


@dataclass(frozen=True)
class Incoming:
    """An event as the notifications service sees it."""

    id: str
    source: str
    type: str
    occurred_at: str
    data: Mapping[str, Any]
    correlation_id: str | None = None

    @property
    def notification_type(self) -> str:
        return f"{self.source}.{self.type}"


def notices(event: Incoming) -> list[Incoming]:
    """What people are told of an event, in order: the event itself, and, for a request
    authorized at its submission (its ``request_submitted`` carries the ``code``: one event for
    one change, docs/events.md), also ``request_authorized``, as an audit's would say it."""
    if event.source == "authorizations" and event.type == "request_submitted" \
            and event.data.get("code"):
        return [event, replace(event, type="request_authorized",
                               data={**event.data, "at_submission": True})]
    return [event]


@dataclass(frozen=True)
class Person:
    account_id: str
    kind: str | None
    email: str | None
    name: str | None
    locale: str | None


def person_of(directory_row: Any, account_id: str, event: Incoming) -> Person:
    """The recipient as the read model knows them; what the event itself says of its subject
    fills gaps of a read model that lags behind."""
    data = event.data
    row = directory_row
    person = Person(account_id, row.kind if row else None, row.email if row else None,
                    row.name if row else None, row.locale if row else None)
    if event.source == "identity" and data.get("account_id") == account_id:
        person = Person(account_id, person.kind or data.get("kind"),
                        recipient(event.type, data) if "email" in data
                        or "old_email" in data else person.email,
                        data.get("name") or person.name, data.get("locale") or person.locale)
    elif event.source == "relationships" and data.get("secretary_id") == account_id:
        person = Person(account_id, SECRETARY, person.email or data.get("secretary_email"),
                        person.name or data.get("secretary_name"),
                        person.locale or data.get("secretary_locale"))
    return person


def link_for(event: Incoming, person: Person) -> str | None:
    """The API path of what the notification is about, for this recipient."""
    data = event.data
    if event.source == "relationships":
        if event.type == "invitation_sent":
            return "/api/v1/me/invitations"
        if person.account_id == data.get("secretary_id"):
            return "/api/v1/me/relationships"
        return f"/api/v1/providers/{data.get('provider_id')}/relationships"
    if event.source == "identity":
        return "/api/v1/me" if event.type in ("email_changed", "password_changed") else None
    link = data.get("link")
    return link if isinstance(link, str) and link.startswith("/") else None
