"""Loading and saving identity's records within one unit of work."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ponte.contracts.identity import ACTIVE, DELETED
from ponte.db import insert_ignoring_duplicates, new_id
from ponte.emails import email_key
from ponte.roles import PROVIDER, SECRETARY
from ponte.tokens import digest
from services.identity.domain import lockout
from services.identity.models import (
    Account,
    IssuedRefreshToken,
    Link,
    LoginSession,
    LoginThrottle,
    Provider,
    ProviderImage,
)

# The statements of the hottest read (GET /me), built once: SQLAlchemy then finds their compiled
# form by a cache key memoised on the statement, instead of recomputing it from a new
# statement at every call.
_ACTIVE_ACCOUNT = sa.select(Account.__table__).where(
    Account.__table__.c.id == sa.bindparam("account_id"), Account.__table__.c.status == ACTIVE)
_PROVIDER = sa.select(Provider.__table__).where(
    Provider.__table__.c.id == sa.bindparam("provider_id"))


def _starting_words(column: sa.ColumnElement, words: Sequence[str]) -> list[sa.ColumnElement]:
    """Each word starts some word of ``column`` (a ``search_key``: words split by spaces)."""
    spaced = sa.literal(" ").concat(column)
    return [spaced.contains(f" {word}", autoescape=True) for word in words]


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *records: object) -> None:
        self.session.add_all(records)

    def flush(self) -> None:
        self.session.flush()

    # accounts
    def account(self, account_id: object) -> Account | None:
        return self.session.get(Account, account_id) if isinstance(account_id, str) else None

    def active_account_record(self, account_id: object) -> tuple[sa.Row, sa.Row | None] | None:
        """An active account and its provider as plain rows: a lean read for hot answers (GET
        /me) that skips the ORM's loading machinery."""
        if not isinstance(account_id, str):
            return None
        conn = self.session.connection()
        account = conn.execute(_ACTIVE_ACCOUNT, {"account_id": account_id}).first()
        if account is None:
            return None
        provider = conn.execute(_PROVIDER, {"provider_id": account.provider_id}).first() \
            if account.provider_id else None
        return account, provider

    def active_account(self, account_id: object) -> Account | None:
        account = self.account(account_id)
        return account if account is not None and account.status == ACTIVE else None

    def account_by_email(self, email: str) -> Account | None:
        return self.session.scalars(
            sa.select(Account).where(Account.email_key == email_key(email))).first()

    def cpf_taken(self, kind: str, cpf: str) -> bool:
        return self.session.scalars(sa.select(Account.id).where(
            Account.kind == kind, Account.cpf_key == cpf)).first() is not None

    def accounts(self, ids: Sequence[str]) -> list[Account]:
        return list(self.session.scalars(sa.select(Account).where(Account.id.in_(ids))))

    def login_candidates(self, kind: str, value: str) -> tuple[list[Account], bool]:
        """Active accounts a login names, and whether it names a provider's several site
        logins: one account by e-mail; by CPF a secretary, a citizen and an individual provider
        may share it; by CNPJ/CPF a provider's site logins (API.md "Precise points": it signs
        in only while there is exactly one)."""
        if kind == "email":
            found = self.account_by_email(value)
            return ([found] if found is not None and found.status == ACTIVE else []), False
        found = list(self.session.scalars(sa.select(Account).where(
            Account.cpf_key == value, Account.status == ACTIVE).order_by(Account.kind)))
        provider = self.provider_by_document(value)
        if provider is None:
            return found, False
        logins = [a for a in self.session.scalars(sa.select(Account).where(
            Account.provider_id == provider.id, Account.kind == PROVIDER).order_by(Account.id))
            if a.status != DELETED]
        return [a for a in logins if a.status == ACTIVE] + found, len(logins) > 1

    def secretaries(self, cpf: str | None, email: str | None, words: Sequence[str],
                    after: tuple[str, str] | None, limit: int) -> list[Account]:
        """Active secretaries by exact CPF, exact e-mail, or name: each of ``words`` starts
        some word of the name."""
        query = sa.select(Account).where(Account.kind == SECRETARY, Account.status == ACTIVE)
        if cpf:
            query = query.where(Account.cpf_key == cpf)
        if email:
            query = query.where(Account.email_key == email_key(email))
        query = query.where(*_starting_words(Account.name_key, words))
        if after:
            query = query.where(sa.tuple_(Account.name_key, Account.id) > sa.tuple_(*after))
        return list(self.session.scalars(
            query.order_by(Account.name_key, Account.id).limit(limit)))

    # providers
    def provider(self, provider_id: object) -> Provider | None:
        return self.session.get(Provider, provider_id) if isinstance(provider_id, str) else None

    def provider_by_document(self, document: str) -> Provider | None:
        return self.session.scalars(
            sa.select(Provider).where(Provider.document == document)).first()

    def providers(self, words: Sequence[str], provider_type: str | None, city_key: str | None,
                  statuses: Sequence[str] | None, after: tuple[str, str] | None,
                  limit: int) -> list[Provider]:
        """Providers by the words of their legal name (each starts some word of it), type,
        city and status, ordered by legal name (ignoring case and accents)."""
        query = sa.select(Provider).where(*_starting_words(Provider.name_key, words)).options(
            selectinload(Provider.sites), selectinload(Provider.images))
        if provider_type:
            query = query.where(Provider.provider_type == provider_type)
        if city_key is not None:
            query = query.where(Provider.city_key == city_key)
        if statuses is not None:
            query = query.where(Provider.status.in_(statuses))
        if after:
            query = query.where(sa.tuple_(Provider.name_key, Provider.id) > sa.tuple_(*after))
        return list(self.session.scalars(
            query.order_by(Provider.name_key, Provider.id).limit(limit)))

    def image(self, provider_id: str, image_id: object) -> ProviderImage | None:
        image = self.session.get(ProviderImage, image_id) if isinstance(image_id, str) else None
        return image if image is not None and image.provider_id == provider_id else None

    # one-time links
    def new_link(self, purpose: str, account_id: str, token: str, expires_at: datetime,
                 now: datetime) -> Link:
        """A fresh link replaces any unused one for the same purpose."""
        self.session.execute(sa.update(Link).where(
            Link.account_id == account_id, Link.purpose == purpose, Link.used_at.is_(None))
            .values(used_at=now))
        link = Link(id=new_id(), digest=digest(token), purpose=purpose, account_id=account_id,
                    expires_at=expires_at, created_at=now)
        self.session.add(link)
        return link

    def lock_account(self, account_id: str) -> None:
        """Hold the account's row until the end of the transaction (counting then acting on
        the count, one request after another)."""
        self.session.execute(sa.select(Account.id).where(Account.id == account_id)
                             .with_for_update())

    def links_since(self, account_id: str, since: datetime) -> int:
        """How many one-time links (each one e-mailed) the account got since then."""
        return self.session.scalar(sa.select(sa.func.count()).select_from(Link).where(
            Link.account_id == account_id, Link.created_at >= since)) or 0

    def link(self, purpose: str, token: object) -> Link | None:
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        return self.session.scalars(sa.select(Link).where(
            Link.digest == digest(token), Link.purpose == purpose)).first()

    def use_link(self, link: Link, now: datetime) -> bool:
        """Single use even when two requests race for it."""
        result = self.session.execute(sa.update(Link).where(
            Link.id == link.id, Link.used_at.is_(None)).values(used_at=now))
        return result.rowcount == 1

    # sessions
    def login_session(self, session_id: str) -> LoginSession | None:
        return self.session.get(LoginSession, session_id)

    def refresh_token(self, token_digest: str) -> IssuedRefreshToken | None:
        return self.session.get(IssuedRefreshToken, token_digest)

    def retire_refresh_token(self, token_digest: str, now: datetime) -> bool:
        result = self.session.execute(sa.update(IssuedRefreshToken).where(
            IssuedRefreshToken.digest == token_digest, IssuedRefreshToken.retired_at.is_(None))
            .values(retired_at=now))
        return result.rowcount == 1

    def revoke_sessions(self, account_id: str, reason: str, now: datetime,
                        only: str | None = None, keep: str | None = None) -> list[str]:
        """End the account's live sessions (all, only one, or all but one); their ids."""
        query = sa.select(LoginSession.id).where(LoginSession.account_id == account_id,
                                                 LoginSession.revoked_at.is_(None))
        if only is not None:
            query = query.where(LoginSession.id == only)
        if keep is not None:
            query = query.where(LoginSession.id != keep)
        ids = list(self.session.scalars(query))
        if ids:
            self.session.execute(sa.update(LoginSession).where(LoginSession.id.in_(ids))
                                 .values(revoked_at=now, revoked_reason=reason))
        return ids

    def revoked_since(self, since: datetime) -> list[str]:
        return list(self.session.scalars(sa.select(LoginSession.id).where(
            LoginSession.revoked_at >= since)))

    # lockout
    def throttle(self, key: str, now: datetime) -> lockout.Throttle:
        """The key's count as it stands (no lock)."""
        row = self.session.get(LoginThrottle, key)
        if row is None:
            return lockout.Throttle()
        throttle = lockout.Throttle(row.failures, row.locks, row.locked_until, row.pending)
        throttle.forget_stale(now, row.updated_at)
        return throttle

    def locked_throttle(self, key: str, now: datetime) -> LoginThrottle:
        """The key's row, created if missing and locked until the end of the transaction, so
        concurrent attempts (on any replica) count one after another. A row deleted by a
        concurrent success while this one waited for its lock is simply made again."""
        while True:
            insert_ignoring_duplicates(self.session, LoginThrottle.__table__, key=key,
                                       failures=0, locks=0, pending=0, updated_at=now)
            row = self.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key == key)
                                       .with_for_update().execution_options(
                                           populate_existing=True)).one_or_none()
            if row is not None:
                return row

    def save_throttle(self, row: LoginThrottle, throttle: lockout.Throttle,
                      now: datetime) -> None:
        if throttle == lockout.Throttle():
            self.session.delete(row)
            return
        row.failures, row.locks, row.pending = throttle.failures, throttle.locks, throttle.pending
        row.locked_until, row.updated_at = throttle.locked_until, now

    def forget_throttle(self, key: str) -> None:
        self.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
