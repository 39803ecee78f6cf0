"""Persistence of the notifications service inside a unit of work: e-mails and their attempts,
the read models of accounts (``Directory``), and the inbox, preferences, stream tickets and
bulletins (``Inbox``), together a unit of work's ``Repository``."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ponte.later import write_later
from ponte.messaging import event_failures
from ponte.pagination import Pager, encode_cursor, page
from ponte.roles import PROVIDER, STAFF
from ponte.sql import insert_new_rows
from services.notifications.domain.email import FAILED, OPEN, Attempt, Email
from services.notifications.models import (
    accounts,
    bulletin_attachments,
    bulletins,
    email_attempts,
    emails,
    grants,
    notifications,
    preferences,
    providers,
    settings,
    stream_tickets,
)


def _email(row: Any) -> Email:
    return Email(id=row.id, event_id=row.event_id, notification_type=row.notification_type,
                 recipient=row.recipient, locale=row.locale, subject=row.subject,
                 text=row.text_body, html=row.html_body, created_at=row.created_at,
                 status=row.status, attempts=row.attempts,
                 next_attempt_at=row.next_attempt_at, sent_at=row.sent_at,
                 last_error=row.last_error, correlation_id=row.correlation_id,
                 token=row.token)


# -- statements built once (ponte.sql) -------------------------------------------------------

EMAIL_OFF = sa.select(sa.func.aggregate_strings(preferences.c.type, " ")).where(
    preferences.c.account_id == accounts.c.id, preferences.c.email.is_(False)) \
    .scalar_subquery().label("email_off")
"""The notification types whose e-mail the account switched off, space-separated (or NULL), on
every row the audience's statements read: no statement of its own per notice (issue 21)."""
ACCOUNTS = sa.select(accounts, EMAIL_OFF).where(
    accounts.c.id.in_(sa.bindparam("ids", expanding=True)))
_LOGINS = sa.and_(accounts.c.provider_id == sa.bindparam("provider"), accounts.c.kind == PROVIDER,
                  accounts.c.status != "deleted")
_TOLD = sa.select(accounts, EMAIL_OFF, sa.null().label("secretary_id"),
                  sa.cast(sa.null(), grants.c.roles.type).label("granted")).where(
    sa.or_(_LOGINS, accounts.c.id.in_(sa.bindparam("also", expanding=True))))
_GRANTED = sa.select(accounts, EMAIL_OFF, grants.c.secretary_id,
                     grants.c.roles.label("granted")) \
    .select_from(grants.outerjoin(accounts, accounts.c.id == grants.c.secretary_id)) \
    .where(grants.c.provider_id == sa.bindparam("provider"), grants.c.active.is_(True))
PROVIDER_AUDIENCE = {False: _TOLD, True: sa.union_all(_TOLD, _GRANTED)}
"""By whether secretaries with roles are told too."""
SWITCHED_OFF = sa.select(preferences.c.account_id).where(
    preferences.c.account_id.in_(sa.bindparam("ids", expanding=True)),
    preferences.c.type == sa.bindparam("notification_type"), preferences.c.email.is_(False))
EMAIL_INSERT = emails.insert()
DUE_EMAILS = sa.select(emails).where(
    emails.c.status.in_(OPEN), emails.c.next_attempt_at <= sa.bindparam("due")) \
    .order_by(emails.c.next_attempt_at).limit(sa.bindparam("batch")) \
    .with_for_update(skip_locked=True)
LEASED = emails.update().where(emails.c.id.in_(sa.bindparam("ids", expanding=True))).values(
    next_attempt_at=sa.bindparam("until"))
RECORDED = emails.update().where(emails.c.id == sa.bindparam("recorded_email"),
                                 emails.c.attempts == sa.bindparam("attempts_before"))
"""The e-mail's state (``_state``) set where the attempt before it is the last recorded."""
ATTEMPT_INSERT = email_attempts.insert()
_MINE = notifications.c.account_id == sa.bindparam("account")
UNREAD_COUNT = sa.select(sa.func.count()).select_from(notifications).where(
    _MINE, notifications.c.read_at.is_(None))
_COUNTED = notifications.alias("counted")
_INBOX = sa.select(notifications, sa.select(sa.func.count()).select_from(_COUNTED).where(
    _COUNTED.c.account_id == sa.bindparam("account"), _COUNTED.c.read_at.is_(None))
    .scalar_subquery().label("unread_count")).where(_MINE)
INBOX = {False: Pager(_INBOX, [notifications.c.seq]),
         True: Pager(_INBOX.where(notifications.c.read_at.is_(None)), [notifications.c.seq])}
"""A page of an account's inbox (or of its unread items), each row with the unread count."""


@functools.cache
def bulletins_for(readers: int) -> Pager:
    """Bulletins, each with the types of ``readers`` providers (``provider_0`` ...)."""
    types = [sa.select(providers.c.provider_type)
             .where(providers.c.id == sa.bindparam(f"provider_{n}"))
             .scalar_subquery().label(f"type_{n}") for n in range(readers)]
    return Pager(sa.select(bulletins, *types), [bulletins.c.seq])


def _state(email: Email) -> dict[str, Any]:
    return {"status": email.status, "attempts": email.attempts,
            "next_attempt_at": email.next_attempt_at, "sent_at": email.sent_at,
            "last_error": email.last_error}


class EmailRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.queued = 0
        """E-mails this unit of work added."""

    def add(self, *queued: Email) -> None:
        """Queue e-mails, in one round trip however many (``ponte.later``)."""
        if not queued:
            return
        self.queued += len(queued)
        write_later(self.session, EMAIL_INSERT, [dict(
            id=email.id, event_id=email.event_id, notification_type=email.notification_type,
            recipient=email.recipient, locale=email.locale, subject=email.subject,
            text_body=email.text, html_body=email.html, created_at=email.created_at,
            correlation_id=email.correlation_id, token=email.token, **_state(email))
            for email in queued])

    def row(self, email_id: str) -> Any:
        return self.session.execute(sa.select(emails).where(emails.c.id == email_id)) \
            .mappings().first()

    def get(self, email_id: str) -> Email | None:
        row = self.session.execute(sa.select(emails).where(emails.c.id == email_id)).first()
        return _email(row) if row else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Email]:
        """Pending or retrying e-mails whose time has come, leased for ``lease`` so that no other
        replica takes them meanwhile (rows another replica is claiming are skipped, not waited
        for)."""
        rows = self.session.execute(DUE_EMAILS, {"due": now, "batch": limit}).all()
        if rows:
            self.session.execute(LEASED, {"ids": [r.id for r in rows], "until": now + lease})
        return [_email(row) for row in rows]

    def record(self, email: Email, attempt: Attempt) -> bool:
        """Save an attempt and the e-mail's new state, unless another replica recorded this
        attempt first (its lease ran out while we were sending): then False, nothing saved."""
        saved = self.session.execute(RECORDED, {
            "recorded_email": email.id, "attempts_before": attempt.number - 1,
            **_state(email)}).rowcount
        if saved:  # with the COMMIT, on PostgreSQL (ponte.later)
            write_later(self.session, ATTEMPT_INSERT, dict(
                email_id=attempt.email_id, attempt=attempt.number, at=attempt.at,
                outcome=attempt.outcome, error=attempt.error, retry_at=attempt.retry_at))
        return bool(saved)

    def save_retry(self, email: Email) -> bool:
        """Store a failed e-mail put back for another attempt (False if it changed meanwhile)."""
        return bool(self.session.execute(emails.update().where(
            emails.c.id == email.id, emails.c.status == FAILED).values(**_state(email))).rowcount)

    def attempts(self, email_id: str) -> list[Attempt]:
        rows = self.session.execute(
            sa.select(email_attempts).where(email_attempts.c.email_id == email_id)
            .order_by(email_attempts.c.attempt)).all()
        return [Attempt(r.email_id, r.attempt, r.at, r.outcome, r.error, r.retry_at)
                for r in rows]


def upsert(session: Session, table: sa.Table, keys: dict[str, Any], values: dict[str, Any],
           insert_only: dict[str, Any] | None = None,
           only_if: Any = None) -> None:
    """Insert the row, or update ``values`` on the existing one (``insert_only`` are defaults
    for a new row; ``only_if(table, excluded)`` a condition for updating), in one statement."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(**keys, **(insert_only or {}), **values)
    if values:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_=values,
            where=only_if(table, statement.excluded) if only_if is not None else None)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement)


class Directory:
    """The read models: accounts (kind, e-mail, name, locale, provider, staff roles), providers
    (name, type) and secretaries' grants, kept from identity's and relationships' events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def save_account(self, account_id: str, now: datetime, status_if_new: str = "active",
                     **fields: Any) -> None:
        """Insert or update the given fields (None leaves a field as it is); a new row gets
        ``status_if_new`` unless ``status`` is given."""
        fields = {k: v for k, v in fields.items() if v is not None}
        defaults = {k: v for k, v in (("roles", []), ("status", status_if_new))
                    if k not in fields}
        upsert(self.session, accounts, {"id": account_id}, {**fields, "updated_at": now},
               insert_only=defaults)

    def account(self, account_id: str) -> Any:
        return self.session.execute(sa.select(accounts).where(accounts.c.id == account_id)).first()

    def accounts(self, ids: list[str]) -> dict[str, Any]:
        if not ids:
            return {}
        rows = self.session.execute(ACCOUNTS, {"ids": list(ids)}).all()
        return {row.id: row for row in rows}

    def provider_audience(self, provider_id: str, roles: tuple[str, ...],
                          also: list[str]) -> tuple[list[str], dict[str, Any]]:
        """The provider's logins (not deleted) then its secretaries whose active relationship
        holds one of ``roles``, each part sorted, and the read model's rows of them and of
        ``also`` (as :meth:`accounts`), in one statement: those accounts, and the active
        grants joined to theirs (a grant whose account the read model lacks has no row)."""
        logins, secretaries, rows = set(), set(), {}
        for row in self.session.execute(PROVIDER_AUDIENCE[bool(roles)],
                                        {"provider": provider_id, "also": list(also)}):
            if row.id is not None:
                rows[row.id] = row
            if row.secretary_id is not None:
                if set(row.granted or []) & set(roles):
                    secretaries.add(row.secretary_id)
            elif row.provider_id == provider_id and row.kind == PROVIDER \
                    and row.status != "deleted":
                logins.add(row.id)
        told_ids = sorted(logins) + sorted(secretaries)
        wanted = set(told_ids).union(also)
        return told_ids, {key: row for key, row in rows.items() if key in wanted}

    def providers_of(self, secretary_id: str) -> list[str]:
        """The providers a secretary has an active relationship with."""
        return sorted(set(self.session.execute(sa.select(grants.c.provider_id).where(
            grants.c.secretary_id == secretary_id, grants.c.active.is_(True))).scalars()))

    def staff_with(self, roles: tuple[str, ...]) -> list[str]:
        rows = self.session.execute(sa.select(accounts.c.id, accounts.c.roles).where(
            accounts.c.kind == STAFF, accounts.c.status != "deleted")).all()
        return sorted(row.id for row in rows if set(row.roles or []) & set(roles))

    def save_provider(self, provider_id: str, now: datetime, **fields: Any) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        upsert(self.session, providers, {"id": provider_id}, {**fields, "updated_at": now})

    def provider(self, provider_id: str) -> Any:
        return self.session.execute(
            sa.select(providers).where(providers.c.id == provider_id)).first()

    def provider_types(self, provider_ids: list[str]) -> set[str]:
        if not provider_ids:
            return set()
        return {t for t in self.session.execute(sa.select(providers.c.provider_type).where(
            providers.c.id.in_(provider_ids))).scalars() if t}

    def provider_accounts(self, provider_types: list[str] | None) -> list[str]:
        """Active provider logins, of providers of the given types (all when None)."""
        query = (sa.select(accounts.c.id).select_from(accounts.join(
            providers, providers.c.id == accounts.c.provider_id, isouter=True))
            .where(accounts.c.kind == PROVIDER, accounts.c.status == "active"))
        if provider_types is not None:
            query = query.where(providers.c.provider_type.in_(provider_types))
        return list(self.session.execute(query.order_by(accounts.c.id)).scalars())

    def save_grant(self, relationship_id: str, provider_id: str, secretary_id: str,
                   roles: list[str], active: bool, occurred_at: str) -> None:
        """Events of one relationship may arrive out of order (one queue per event type): the
        state of the latest event wins."""
        upsert(self.session, grants, {"relationship_id": relationship_id},
               {"provider_id": provider_id, "secretary_id": secretary_id, "roles": roles,
                "active": active, "occurred_at": occurred_at},
               only_if=lambda table, new: table.c.occurred_at <= new.occurred_at)


class Inbox:
    """Notifications, preferences, stream tickets and bulletins."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_all(self, items: list[dict[str, Any]]) -> set[str]:
        """Notifications, one per (event, type, recipient), in one statement: the ids of those
        that were new (an item already there is left as it is)."""
        return insert_new_rows(self.session, notifications, items, notifications.c.id)

    def page(self, account_id: str, unread: bool, limit: int,
             cursor: str | None) -> tuple[list[Any], str | None, int]:
        """A page of the account's inbox and its unread count, in one statement: the count
        rides on every row (an empty page counts on its own)."""
        rows, next_cursor = INBOX[unread].page(self.session, {"account": account_id}, limit,
                                               cursor)
        return rows, next_cursor, rows[0]["unread_count"] if rows \
            else self.unread_count(account_id)

    def unread_count(self, account_id: str) -> int:
        return self.session.execute(UNREAD_COUNT, {"account": account_id}).scalar_one()

    def mark_read(self, account_id: str, notification_id: str, now: datetime) -> bool:
        """False when the account has no such notification."""
        row = self.session.execute(sa.select(notifications.c.read_at).where(
            notifications.c.id == notification_id,
            notifications.c.account_id == account_id)).first()
        if row is None:
            return False
        if row.read_at is None:
            self.session.execute(notifications.update().where(
                notifications.c.id == notification_id).values(read_at=now))
        return True

    def mark_all_read(self, account_id: str, now: datetime) -> int:
        return self.session.execute(notifications.update().where(
            notifications.c.account_id == account_id,
            notifications.c.read_at.is_(None)).values(read_at=now)).rowcount

    def after(self, account_id: str, notification_id: str, limit: int) -> list[Any]:
        """The account's notifications newer than the given one, oldest first (none when the
        id is not one of its own)."""
        seq = self.session.execute(sa.select(notifications.c.seq).where(
            notifications.c.id == notification_id,
            notifications.c.account_id == account_id)).scalar()
        if seq is None:
            return []
        return self.session.execute(sa.select(notifications).where(
            notifications.c.account_id == account_id, notifications.c.seq > seq)
            .order_by(notifications.c.seq).limit(limit)).all()

    def switched_off(self, account_ids: list[str], notification_type: str,
                     rows: Mapping[str, Any] | None = None) -> set[str]:
        """Which of the accounts switched e-mail of this type off: read off their ``rows`` of
        the read model (``EMAIL_OFF``), and in one query for those without one."""
        rows = rows or {}
        off = {account_id for account_id in account_ids if (row := rows.get(account_id))
               is not None and notification_type in (row.email_off or "").split()}
        unread = [account_id for account_id in account_ids if rows.get(account_id) is None]
        if unread:
            off.update(self.session.execute(SWITCHED_OFF, {
                "ids": unread, "notification_type": notification_type}).scalars())
        return off

    def opted_in_to_patient_messages(self, account_ids: list[str]) -> set[str]:
        if not account_ids:
            return set()
        return set(self.session.execute(sa.select(settings.c.account_id).where(
            settings.c.account_id.in_(account_ids),
            settings.c.patient_messages.is_(True))).scalars())

    def email_preferences(self, account_id: str) -> dict[str, bool]:
        return dict(self.session.execute(sa.select(preferences.c.type, preferences.c.email).where(
            preferences.c.account_id == account_id)).all())

    def patient_messages(self, account_id: str) -> bool:
        return bool(self.session.execute(sa.select(settings.c.patient_messages).where(
            settings.c.account_id == account_id)).scalar())

    def save_preferences(self, account_id: str, email: dict[str, bool],
                         patient_messages: bool | None) -> None:
        for notification_type, enabled in email.items():
            upsert(self.session, preferences, {"account_id": account_id,
                                               "type": notification_type}, {"email": enabled})
        if patient_messages is not None:
            upsert(self.session, settings, {"account_id": account_id},
                   {"patient_messages": patient_messages})

    def add_ticket(self, digest: str, caller: dict, expires_at: datetime, now: datetime) -> None:
        self.session.execute(stream_tickets.delete().where(stream_tickets.c.expires_at < now))
        self.session.execute(stream_tickets.insert().values(digest=digest, caller=caller,
                                                            expires_at=expires_at))

    def ticket_caller(self, digest: str, now: datetime) -> dict | None:
        """The caller of an unused, unexpired ticket, which stays unused."""
        return self.session.execute(sa.select(stream_tickets.c.caller).where(
            stream_tickets.c.digest == digest, stream_tickets.c.used_at.is_(None),
            stream_tickets.c.expires_at > now)).scalar()

    def use_ticket(self, digest: str, now: datetime) -> dict | None:
        """The caller of an unused, unexpired ticket, which is used up by this call."""
        used = self.session.execute(stream_tickets.update().where(
            stream_tickets.c.digest == digest, stream_tickets.c.used_at.is_(None),
            stream_tickets.c.expires_at > now).values(used_at=now)).rowcount
        if not used:
            return None
        return self.session.execute(sa.select(stream_tickets.c.caller).where(
            stream_tickets.c.digest == digest)).scalar()

    def add_bulletin(self, **values: Any) -> None:
        self.session.execute(bulletins.insert().values(**values))
        for attachment in values["attachments"]:
            self.session.execute(bulletin_attachments.insert().values(
                attachment_id=attachment["id"], bulletin_id=values["id"]))

    def bulletin(self, bulletin_id: str) -> Any:
        return self.session.execute(
            sa.select(bulletins).where(bulletins.c.id == bulletin_id)).first()

    def bulletins_page(self, provider_ids: list[str] | None, limit: int,
                       cursor: str | None) -> tuple[list[Any], str | None]:
        """All bulletins (``provider_ids`` None), or those addressed to every provider or to
        the type of one of the given providers (their types read with the bulletins, in the
        same statement)."""
        rows, next_cursor = [], cursor
        if provider_ids is None:
            return page(self.session, sa.select(bulletins), [bulletins.c.seq], limit, cursor)
        pager = bulletins_for(len(provider_ids))
        readers = {f"provider_{n}": provider_id for n, provider_id in enumerate(provider_ids)}
        types = [f"type_{n}" for n in range(len(provider_ids))]
        # the targeting is a JSON list: filter in Python, page by page
        while True:
            batch, next_cursor = pager.page(self.session, readers, limit, next_cursor)
            rows += [b for b in batch if b["provider_types"] is None
                     or set(b["provider_types"]) & {b[t] for t in types}]
            if len(rows) >= limit or next_cursor is None:
                break
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor([rows[-1]["seq"]])
        return rows, next_cursor

    def bulletin_of_attachment(self, attachment_id: str) -> Any:
        return self.session.execute(sa.select(bulletins).join(
            bulletin_attachments, bulletin_attachments.c.bulletin_id == bulletins.c.id).where(
            bulletin_attachments.c.attachment_id == attachment_id)).first()

    def emails_page(self, status: str | None, limit: int,
                    cursor: str | None) -> tuple[list[Any], str | None]:
        query = sa.select(emails)
        if status:
            query = query.where(emails.c.status == status)
        return page(self.session, query, [emails.c.created_at, emails.c.id], limit, cursor)




class Repository:
    """What a unit of work of the notifications service reaches (``uow.repo``): the read models,
    the inbox and the e-mails, on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.directory = Directory(session)
        self.inbox = Inbox(session)
        self.emails = EmailRepository(session)

    def failed_attempts(self, event_id: str) -> int:
        """How often this event's handler has failed so far (ponte.messaging's record)."""
        return self.session.execute(sa.select(sa.func.max(event_failures.c.attempts)).where(
            event_failures.c.event_id == event_id)).scalar() or 0

    def flush(self) -> None:
        self.session.flush()
