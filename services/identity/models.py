"""Identity's tables. Migrations in ``migrations/`` create exactly these (a test compares them)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ponte.db import UTCDateTime


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    })


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    document: Mapped[str] = mapped_column(sa.String(14), unique=True)
    person_type: Mapped[str] = mapped_column(sa.String(20))
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    # the legal name's search words (``search_key``), and the address's city the same way
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    city_key: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    secondary_email: Mapped[str | None] = mapped_column(sa.String(254))
    provider_type: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[dict | None] = mapped_column(sa.JSON)
    phones: Mapped[list] = mapped_column(sa.JSON)
    opening_hours: Mapped[str | None] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    sites: Mapped[list[Site]] = relationship(order_by="Site.position")
    images: Mapped[list[ProviderImage]] = relationship(order_by="ProviderImage.created_at")


class Site(Base):
    """One login of a provider (003: a clinic with several sites has one login per site)."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(sa.ForeignKey("providers.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_shared: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("kind", "cpf_key", name="uq_accounts_kind_cpf_key"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    email: Mapped[str] = mapped_column(sa.String(254))
    # lower-cased e-mail while it identifies a login; NULL for a shared site e-mail or once deleted
    email_key: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    secondary_email: Mapped[str | None] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    cpf: Mapped[str | None] = mapped_column(sa.String(11))
    cpf_key: Mapped[str | None] = mapped_column(sa.String(11))
    sex: Mapped[str | None] = mapped_column(sa.String(10))
    roles: Mapped[list] = mapped_column(sa.JSON)
    locale: Mapped[str] = mapped_column(sa.String(10))
    provider_id: Mapped[str | None] = mapped_column(sa.ForeignKey("providers.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(sa.ForeignKey("sites.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    provider: Mapped[Provider | None] = relationship()
    site: Mapped[Site | None] = relationship()


class ProviderImage(Base):
    __tablename__ = "provider_images"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    provider_id: Mapped[str] = mapped_column(sa.ForeignKey("providers.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Link(Base):
    """A one-time link (registration or password reset); only the token's digest is kept."""

    __tablename__ = "links"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship()


class LoginSession(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    remember_me: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(30))


class IssuedRefreshToken(Base):
    __tablename__ = "refresh_tokens"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.ForeignKey("sessions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[LoginSession] = relationship()


class LoginThrottle(Base):
    """Consecutive failures per account (``account:<id>``), or per unknown login (a digest of
    the e-mail or document tried)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer)
    locks: Mapped[int] = mapped_column(sa.Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # attempts whose password is being checked (they count against the lock's limit)
    pending: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
