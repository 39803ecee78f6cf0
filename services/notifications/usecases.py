"""What the notifications service does, testable without a broker: keep the read models from
identity's and relationships' events, turn an event into one inbox item per recipient (and an
e-mail where the recipient's preferences allow), answer the inbox, preferences, stream tickets
and bulletins.

Idempotency: an event handler runs in one transaction that also records the event as processed;
on top of that an inbox item is unique per (event id, recipient) and an e-mail per (event id,
type, address), so a redelivered event adds nothing.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa

from ponte.db import Transaction, new_id
from ponte.messaging import RetryLater, event_failures
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from services.notifications import views
from services.notifications.domain import Email, NotFailed
from services.notifications.domain.catalogue import (PATIENT_MESSAGE_TYPES, TYPES,
                                                     PreferenceError, check_changes,
                                                     email_enabled, preferences_view)
from services.notifications.domain.routing import Audience, audience_of
from services.notifications.emails import compose, texts_for
from services.notifications.emails import recipient as identity_recipient
from services.notifications.repository import Directory, EmailRepository, Inbox

BROADCAST_EVENT = "notifications_created"
TICKET_TTL = timedelta(seconds=30)
# How many failed attempts an event spends waiting for a recipient's address. Addresses come
# from the read model that identity's events feed; another service's event can arrive first (each
# queue drains on its own, e.g. after notifications restarts), and without the address its e-mail
# would never be sent. Retries come after 1, 2, 4 ... 32 s, so the wait is about a minute from
# the first attempt — however long the event waited in the queue — and the 7th attempt, still
# before ponte.messaging parks a handler (8), goes out without the missing e-mails.
ADDRESS_ATTEMPTS = 6


class AddressNotYetKnown(RetryLater):
    """A recipient is not in the read model yet: the handler fails, nothing is kept, and the
    retry (1 s, 2 s, 4 s ...) finds the address (found by bench/chaos.py)."""
REPLAY_LIMIT = 500


@dataclass(frozen=True)
class Context:
    """What composing needs from the configuration."""

    public_url: str
    time_zone: str = "America/Sao_Paulo"


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


# --- read models ---------------------------------------------------------------------------

def apply_identity(directory: Directory, event: Incoming, now: datetime) -> None:
    """Accounts, providers and staff roles as identity's events describe them."""
    data, kind = event.data, event.type
    account_id = data.get("account_id")
    if kind == "provider_preregistered":
        directory.save_provider(data["provider_id"], now, legal_name=data.get("legal_name"))
        for site in data.get("sites") or []:
            if site.get("account_id"):
                directory.save_account(site["account_id"], now, status_if_new="invited",
                                       kind="provider", email=site.get("email"),
                                       name=data.get("legal_name"),
                                       provider_id=data["provider_id"])
    elif kind == "provider_invited":
        # events of one login arrive on separate queues: an invitation never undoes a
        # registration, so the status is set only on a login not seen before
        directory.save_account(account_id, now, status_if_new="invited", kind="provider",
                               email=data.get("email"), name=data.get("name"),
                               locale=data.get("locale"), provider_id=data.get("provider_id"))
    elif kind == "provider_registered":
        directory.save_provider(data["provider_id"], now, legal_name=data.get("name"),
                                provider_type=data.get("provider_type"))
        directory.save_account(account_id, now, kind="provider", email=data.get("email"),
                               name=data.get("name"), locale=data.get("locale"),
                               provider_id=data["provider_id"], status="active")
    elif kind in ("secretary_registered", "citizen_registered"):
        directory.save_account(account_id, now, kind=kind.partition("_")[0],
                               email=data.get("email"), name=data.get("name"),
                               locale=data.get("locale"))
    elif kind == "staff_created":
        directory.save_account(account_id, now, kind="staff", email=data.get("email"),
                               name=data.get("name"), locale=data.get("locale"),
                               roles=list(data.get("roles") or []))
    elif kind == "email_changed":
        directory.save_account(account_id, now, email=data.get("new_email"))
    elif kind == "account_updated":
        directory.save_account(account_id, now, kind=data.get("kind"), name=data.get("name"),
                               email=data.get("email"))
    elif kind == "account_deleted":
        directory.save_account(account_id, now, kind=data.get("kind"), status="deleted")


def apply_relationship(directory: Directory, event: Incoming, now: datetime) -> None:
    """Provider logins and the secretaries' active grants, as relationships' events tell them."""
    data = event.data
    provider_id = data.get("provider_id")
    if provider_id:
        directory.save_provider(provider_id, now, legal_name=data.get("provider_legal_name"))
        for account_id in data.get("provider_account_ids") or []:
            directory.save_account(account_id, now, kind="provider", provider_id=provider_id)
    if data.get("secretary_id"):
        directory.save_account(data["secretary_id"], now, kind="secretary",
                               name=data.get("secretary_name"),
                               email=data.get("secretary_email"),
                               locale=data.get("secretary_locale"))
    if data.get("relationship_id"):
        active = data.get("status") == "active" and event.type in (
            "invitation_accepted", "relationship_roles_changed")
        directory.save_grant(data["relationship_id"], provider_id, data["secretary_id"],
                             list(data.get("roles") or []), active, event.occurred_at)


# --- from an event to inbox items and e-mails ----------------------------------------------

def resolve(directory: Directory, audience: Audience, keep_deleted: bool = False) -> list[str]:
    """The account ids an audience names, each once, without deleted accounts (unless
    ``keep_deleted``: the e-mail confirming a deletion)."""
    ids: list[str] = list(audience.accounts)
    if audience.provider_id:
        ids += directory.provider_logins(audience.provider_id)
        ids += directory.secretaries_with(audience.provider_id, audience.provider_roles)
    if audience.staff_roles:
        ids += directory.staff_with(audience.staff_roles)
    known = directory.accounts(ids)
    seen, result = set(), []
    for account_id in ids:
        if account_id in seen or account_id in audience.exclude:
            continue
        seen.add(account_id)
        row = known.get(account_id)
        if row is not None and row.status == "deleted" and not keep_deleted:
            continue
        result.append(account_id)
    return result


@dataclass(frozen=True)
class Person:
    account_id: str
    kind: str | None
    email: str | None
    name: str | None
    locale: str | None


def _person(directory_row: Any, account_id: str, event: Incoming) -> Person:
    data = event.data
    row = directory_row
    person = Person(account_id, row.kind if row else None, row.email if row else None,
                    row.name if row else None, row.locale if row else None)
    # what the event itself says of its subject fills gaps of a read model that lags behind
    if event.source == "identity" and data.get("account_id") == account_id:
        person = Person(account_id, person.kind or data.get("kind"),
                        identity_recipient(event.type, data) if "email" in data
                        or "old_email" in data else person.email,
                        data.get("name") or person.name, data.get("locale") or person.locale)
    elif event.source == "relationships" and data.get("secretary_id") == account_id:
        person = Person(account_id, "secretary", person.email or data.get("secretary_email"),
                        person.name or data.get("secretary_name"),
                        person.locale or data.get("secretary_locale"))
    return person


def _failed_attempts(tx: Transaction, event_id: str) -> int:
    """How often this event's handler has failed so far (ponte.messaging's record)."""
    return tx.session.execute(sa.select(sa.func.max(event_failures.c.attempts)).where(
        event_failures.c.event_id == event_id)).scalar() or 0


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


def notify(tx: Transaction, event: Incoming, context: Context, now: datetime,
           audience: Audience | None = None, wait_for_addresses: bool = False) -> list[dict]:
    """One inbox item per recipient (and an e-mail where preferences allow), and a broadcast of
    the new items to every gateway for the streams connected there. Returns the new items as
    ``{account_id, notification}``. With ``wait_for_addresses`` (event handlers), an event
    raises :class:`AddressNotYetKnown` while a recipient who should get an e-mail has no known
    address, for its first :data:`ADDRESS_ATTEMPTS` attempts; then the items go out without
    those e-mails."""
    directory, inbox = Directory(tx.session), Inbox(tx.session)
    entry = TYPES.get(event.notification_type)
    audience = audience or audience_of(event.source, event.type, event.data)
    recipients = resolve(directory, audience, keep_deleted=entry is not None and not entry.inbox)
    rows = directory.accounts(recipients)
    muted = inbox.switched_off(recipients, event.notification_type)
    opted_in = inbox.opted_in_to_patient_messages(recipients) \
        if event.notification_type in PATIENT_MESSAGE_TYPES else set()
    if wait_for_addresses:
        unknown = [a for a in recipients if _person(rows.get(a), a, event).email is None
                   and email_enabled(event.notification_type,
                                     {event.notification_type: a not in muted})]
        if unknown and _failed_attempts(tx, event.id) < ADDRESS_ATTEMPTS:
            raise AddressNotYetKnown(f"{event.notification_type} {event.id}: no address yet "
                                     f"for {len(unknown)} recipient(s)")
    created, addressed = [], set()
    for account_id in recipients:
        person = _person(rows.get(account_id), account_id, event)
        data = dict(event.data)
        if event.notification_type in PATIENT_MESSAGE_TYPES:
            data["patient_messages"] = account_id in opted_in
        texts = texts_for(event.notification_type, data, occurred_at=event.occurred_at,
                          time_zone=context.time_zone, locale=person.locale,
                          name=None if event.source == "identity" else person.name)
        link = link_for(event, person)
        item = {"id": new_id(), "account_id": account_id, "event_id": event.id,
                "type": event.notification_type, "title": texts.title, "body": texts.body,
                "link": link, "created_at": now, "read_at": None}
        fresh = True
        if entry is None or entry.inbox:
            fresh = inbox.add(**item)
            if fresh:
                created.append({"account_id": account_id,
                                "notification": views.notification(item)})
        wants_email = email_enabled(event.notification_type,
                                    {event.notification_type: account_id not in muted})
        if fresh and person.email and wants_email and person.email.lower() not in addressed:
            addressed.add(person.email.lower())  # two logins sharing an address: one e-mail
            message = compose(event.notification_type, data,
                              public_url=context.public_url, occurred_at=event.occurred_at,
                              time_zone=context.time_zone, to=person.email,
                              locale=person.locale, name=person.name, link=link, texts=texts)
            EmailRepository(tx.session).add(Email.queue(
                message, event_id=event.id, notification_type=event.notification_type,
                now=now, correlation_id=event.correlation_id))
    if created:
        tx.publish(BROADCAST_EVENT, {"items": created})
    return created


# --- inbox ---------------------------------------------------------------------------------

def list_notifications(inbox: Inbox, caller: dict, unread: bool, limit: int,
                       cursor: str | None) -> dict:
    rows, next_cursor = inbox.page(caller["account_id"], unread, limit, cursor)
    return {"items": [views.notification(row) for row in rows],
            "next_cursor": next_cursor, "unread_count": inbox.unread_count(caller["account_id"])}


def mark_read(inbox: Inbox, caller: dict, notification_id: str, now: datetime) -> None:
    if not inbox.mark_read(caller["account_id"], str(notification_id), now):
        raise NotFound("No such notification.")


def replay(inbox: Inbox, caller: dict, last_event_id: str) -> list[dict]:
    """The caller's items newer than the one a stream last delivered, oldest first."""
    return [views.notification(row._mapping)
            for row in inbox.after(caller["account_id"], str(last_event_id), REPLAY_LIMIT)]


# --- stream tickets ------------------------------------------------------------------------

def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(inbox: Inbox, caller: dict, now: datetime) -> dict:
    """A single-use ticket for ``?ticket=`` (a browser's EventSource sends no header), valid
    30 seconds. Only its digest is stored."""
    ticket = secrets.token_urlsafe(32)
    inbox.add_ticket(_digest(ticket), caller, now + TICKET_TTL, now)
    return {"ticket": ticket, "expires_in": int(TICKET_TTL.total_seconds())}


def redeem_ticket(inbox: Inbox, ticket: Any, now: datetime) -> dict:
    if not isinstance(ticket, str) or not ticket or len(ticket) > 200:
        raise Unauthenticated("This stream ticket is unknown, used or expired.")
    caller = inbox.use_ticket(_digest(ticket), now)
    if caller is None:
        raise Unauthenticated("This stream ticket is unknown, used or expired.")
    return caller


# --- preferences ---------------------------------------------------------------------------

def get_preferences(inbox: Inbox, caller: dict) -> dict:
    account_id = caller["account_id"]
    return preferences_view(caller.get("kind"), inbox.email_preferences(account_id),
                            inbox.patient_messages(account_id))


def put_preferences(inbox: Inbox, caller: dict, email: Any, patient_messages: Any) -> dict:
    if email is None:
        email = {}
    if not isinstance(email, dict):
        raise InvalidInput("email must be an object.", {"email": ["Must be an object."]})
    if patient_messages is not None and not isinstance(patient_messages, bool):
        raise InvalidInput("patient_messages must be true or false.",
                           {"patient_messages": ["Must be true or false."]})
    try:
        changes = check_changes(caller.get("kind"), email)
    except PreferenceError as exc:
        raise InvalidInput("Some preferences cannot be set.", exc.errors) from None
    inbox.save_preferences(caller["account_id"], changes, patient_messages)
    return get_preferences(inbox, caller)


# --- e-mail deliveries ---------------------------------------------------------------------

def retry_email(tx: Transaction, email_id: str, now: datetime) -> dict:
    """Send a failed e-mail again (admin): 404 unknown, 409 unless failed."""
    repository = EmailRepository(tx.session)
    email = repository.get(str(email_id))
    if email is None:
        raise NotFound("No such e-mail.")
    try:
        email.retry(now)
    except NotFailed:
        raise Conflict(f"Only a failed e-mail can be sent again; this one is {email.status}.") \
            from None
    if not repository.save_retry(email):
        raise Conflict("This e-mail changed meanwhile; look again.")
    return views.email(repository.row(email.id))


# --- bulletins -----------------------------------------------------------------------------

PROVIDER_TYPES = ("clinic", "cooperative", "supplier", "hospital", "laboratory", "dentist")


def check_bulletin(title: Any, body: Any, provider_types: Any) -> tuple[str, str, list | None]:
    errors: dict[str, list[str]] = {}
    for field, value in (("title", title), ("body", body)):
        if not isinstance(value, str) or not value.strip():
            errors[field] = ["Must not be blank."]
    if isinstance(title, str) and len(title) > 200:
        errors["title"] = ["At most 200 characters."]
    if provider_types is not None:
        if not isinstance(provider_types, list) or not provider_types:
            errors["provider_types"] = ["Give at least one provider type, or leave it out."]
        else:
            for index, value in enumerate(provider_types):
                if value not in PROVIDER_TYPES:
                    errors[f"provider_types.{index}"] = [
                        "Unknown provider type; choose from " + ", ".join(PROVIDER_TYPES) + "."]
    if errors:
        raise InvalidInput("The bulletin is not valid.", errors)
    return title.strip(), body.strip(), sorted(set(provider_types)) if provider_types else None


def publish_bulletin(tx: Transaction, caller: dict, title: str, body: str,
                     provider_types: list[str] | None, attachments: list[dict],
                     context: Context, now: datetime) -> dict:
    """Stored, then one inbox item (and e-mail) for each active login of a targeted provider."""
    bulletin = {"id": new_id(), "title": title, "body": body, "provider_types": provider_types,
                "attachments": attachments, "created_by": caller["account_id"],
                "created_at": now}
    inbox, directory = Inbox(tx.session), Directory(tx.session)
    inbox.add_bulletin(**bulletin)
    recipients = directory.provider_accounts(provider_types)
    event = Incoming(id=bulletin["id"], source="notifications", type="bulletin_published",
                     occurred_at=views.iso(now),
                     data={"title": title, "body": body, "bulletin_id": bulletin["id"],
                           "provider_types": provider_types, "link": "/api/v1/bulletins"})
    notify(tx, event, context, now, Audience(accounts=tuple(recipients)))
    return views.bulletin(bulletin)


def bulletin_audience(caller: dict, directory: Directory,
                      provider_ids: list[str] | None) -> set[str] | None:
    """The provider types whose bulletins the caller sees (None: all, for operators)."""
    kind = caller.get("kind")
    if kind == "staff":
        return None
    if kind == "provider":
        ids = [caller.get("provider_id")] if caller.get("provider_id") else []
    elif kind == "secretary":
        if provider_ids is None and isinstance(caller.get("acting_for"), dict):
            provider_ids = list(caller["acting_for"])
        ids = list(provider_ids if provider_ids is not None
                   else directory.providers_of(caller["account_id"]))
        if not ids:
            raise Forbidden("Bulletins need an active relationship with a provider.")
    else:
        raise Forbidden("Bulletins are for providers and their secretaries.")
    return directory.provider_types(ids)


def may_read_attachment(tx: Transaction, caller: dict, attachment_id: str) -> bool:
    inbox, directory = Inbox(tx.session), Directory(tx.session)
    bulletin = inbox.bulletin_of_attachment(attachment_id)
    if bulletin is None:
        return False
    roles = set(caller.get("roles") or [])
    if caller.get("kind") == "staff":
        return bool(roles & {"admin", "operator"})
    try:
        types = bulletin_audience(caller, directory, None)
    except Forbidden:
        return False
    return bulletin.provider_types is None or bool(set(bulletin.provider_types) & (types or set()))
