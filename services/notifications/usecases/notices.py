"""From an event to what people are told: one inbox item per recipient, an e-mail where the
recipient's preferences allow, and a broadcast of the new items to every gateway."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import Counter

from ponte.db import new_id
from ponte.messaging import RetryLater
from ponte.service_layer import Context, UnitOfWork
from services.notifications import events, views
from services.notifications.domain.catalogue import PATIENT_MESSAGE_TYPES, TYPES, email_enabled
from services.notifications.domain.email import Email
from services.notifications.domain.incoming import (
    Incoming,
    Person,
    link_for,
    notices,
    person_of,
)
from services.notifications.domain.routing import Audience, audience_of
from services.notifications.emails import compose, texts_for
from services.notifications.repository import Directory, Repository
from services.notifications.templates import Rendered
from services.notifications.usecases.read_models import ReadModel

CREATED = Counter("ponte_notifications_created_total", "Inbox items created",
                  ["notification_type"])
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


def take(ctx: Context[Repository], event: Incoming, read_model: ReadModel | None = None,
         emails_queued: Callable[[], None] | None = None) -> list[dict]:
    """An event handler's work, in one unit of work: keep the read model (identity's and
    relationships' events), then tell the event's audience each of its notices
    (:func:`~services.notifications.domain.incoming.notices`), in one broadcast. While a
    recipient who should get an e-mail has no known address, the event fails for its first
    :data:`ADDRESS_ATTEMPTS` attempts (:class:`AddressNotYetKnown`); then the items go out
    without those e-mails. ``emails_queued`` is called once the unit that queued e-mails has
    committed (and only then: most events queue none, and the delivery pass need not look)."""
    now = ctx.clock()
    told: list[tuple[str, int]] = []
    with ctx.unit() as uow:
        if read_model is not None:
            read_model(uow.repo.directory, event, now)
        created: list[dict] = []
        resolved: dict[Any, tuple[list[str], dict[str, Any]]] = {}
        for notice in notices(event):
            items = tell(uow, notice, ctx.settings, now, wait_for_addresses=True,
                         resolved=resolved)
            told.append((notice.notification_type, len(items)))
            created += items
        if created:
            uow.publish(events.notifications_created(created))
        queued = uow.repo.emails.queued
    if queued and emails_queued is not None:
        emails_queued()
    for notification_type, count in told:
        if count:
            CREATED.labels(notification_type).inc(count)
    return created


def resolve(directory: Directory, audience: Audience, keep_deleted: bool = False) -> list[str]:
    """The account ids an audience names, each once, without deleted accounts (unless
    ``keep_deleted``: the e-mail confirming a deletion)."""
    return recipients_of(directory, audience, keep_deleted)[0]


def recipients_of(directory: Directory, audience: Audience,
                  keep_deleted: bool = False) -> tuple[list[str], dict[str, Any]]:
    """:func:`resolve`'s account ids, and the read model's rows of them: one statement for a
    provider's audience with the accounts listed, one for the accounts, one for staff roles."""
    ids: list[str] = list(audience.accounts)
    known: dict[str, Any] = {}
    read: set[str] = set()
    if audience.provider_id:
        told, known = directory.provider_audience(audience.provider_id,
                                                  audience.provider_roles, also=ids)
        ids += told
        read = set(ids)
    if audience.staff_roles:
        ids += directory.staff_with(audience.staff_roles)
    if rest := [account_id for account_id in ids if account_id not in read]:
        known.update(directory.accounts(rest))
    seen, result = set(), []
    for account_id in ids:
        if account_id in seen or account_id in audience.exclude:
            continue
        seen.add(account_id)
        row = known.get(account_id)
        if row is not None and row.status == "deleted" and not keep_deleted:
            continue
        result.append(account_id)
    return result, known


def notify(uow: UnitOfWork[Repository], event: Incoming, settings: Mapping[str, Any],
           now: datetime, audience: Audience | None = None) -> list[dict]:
    """:func:`tell`, and a broadcast of the new items to every gateway."""
    created = tell(uow, event, settings, now, audience)
    if created:
        uow.publish(events.notifications_created(created))
    return created


def tell(uow: UnitOfWork[Repository], event: Incoming, settings: Mapping[str, Any],
         now: datetime, audience: Audience | None = None, wait_for_addresses: bool = False,
         resolved: dict[Any, tuple[list[str], dict[str, Any]]] | None = None) -> list[dict]:
    """One inbox item per recipient (and an e-mail where preferences allow), each kind in one
    statement. Returns the new items as ``{account_id, notification}``. ``resolved`` keeps the
    recipients of the audiences resolved in this unit of work, for another notice of the same
    event."""
    repo = uow.repo
    directory, inbox = repo.directory, repo.inbox
    entry = TYPES.get(event.notification_type)
    audience = audience or audience_of(event.source, event.type, event.data)
    keep_deleted = entry is not None and not entry.inbox
    resolved = {} if resolved is None else resolved
    if (audience, keep_deleted) not in resolved:
        resolved[audience, keep_deleted] = recipients_of(directory, audience, keep_deleted)
    recipients, rows = resolved[audience, keep_deleted]
    muted = inbox.switched_off(recipients, event.notification_type, rows)
    opted_in = inbox.opted_in_to_patient_messages(recipients) \
        if event.notification_type in PATIENT_MESSAGE_TYPES else set()
    if wait_for_addresses:
        unknown = [a for a in recipients if person_of(rows.get(a), a, event).email is None
                   and email_enabled(event.notification_type,
                                     {event.notification_type: a not in muted})]
        if unknown and repo.failed_attempts(event.id) < ADDRESS_ATTEMPTS:
            raise AddressNotYetKnown(f"{event.notification_type} {event.id}: no address yet "
                                     f"for {len(unknown)} recipient(s)")
    public_url, time_zone = settings["public_url"], settings["time_zone"]
    to_tell: list[tuple[Person, dict, Rendered, str | None, dict]] = []
    for account_id in recipients:
        person = person_of(rows.get(account_id), account_id, event)
        data = dict(event.data)
        if event.notification_type in PATIENT_MESSAGE_TYPES:
            data["patient_messages"] = account_id in opted_in
        texts = texts_for(event.notification_type, data, occurred_at=event.occurred_at,
                          time_zone=time_zone, locale=person.locale,
                          name=None if event.source == "identity" else person.name)
        link = link_for(event, person)
        to_tell.append((person, data, texts, link, {
            "id": new_id(), "account_id": account_id, "event_id": event.id,
            "type": event.notification_type, "title": texts.title, "body": texts.body,
            "link": link, "created_at": now, "read_at": None}))
    in_inbox = entry is None or entry.inbox
    items = [item for *_, item in to_tell]
    fresh = inbox.add_all(items) if in_inbox else {item["id"] for item in items}
    created, addressed, queued = [], set(), []
    for person, data, texts, link, item in to_tell:
        if item["id"] not in fresh:  # told before (a redelivery)
            continue
        if in_inbox:
            created.append({"account_id": item["account_id"],
                            "notification": views.notification(item)})
        wants_email = email_enabled(event.notification_type,
                                    {event.notification_type: item["account_id"] not in muted})
        if person.email and wants_email and person.email.lower() not in addressed:
            addressed.add(person.email.lower())  # two logins sharing an address: one e-mail
            message = compose(event.notification_type, data,
                              public_url=public_url, occurred_at=event.occurred_at,
                              time_zone=time_zone, to=person.email,
                              locale=person.locale, name=person.name, link=link, texts=texts)
            queued.append(Email.queue(
                message, event_id=event.id, notification_type=event.notification_type,
                now=now, correlation_id=event.correlation_id))
    repo.emails.add(*queued)
    return created
