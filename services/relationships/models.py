"""Tables of the relationships service: its own invitations and relationships, and read models of
the providers and secretaries that identity owns (kept from identity's events)."""
from __future__ import annotations

import sqlalchemy as sa

from ponte.db import UTCDateTime

metadata = sa.MetaData()


providers = sa.Table(
    "providers", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("legal_name", sa.String(300), nullable=False),
    sa.Column("document", sa.String(20)),
    sa.Column("person_type", sa.String(20)),
    sa.Column("provider_type", sa.String(20)),
    sa.Column("email", sa.String(320)),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

provider_logins = sa.Table(
    "provider_logins", metadata,
    sa.Column("account_id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False,
              index=True),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
)

accreditations = sa.Table(
    "accreditations", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
    sa.Column("operator", sa.String(200), nullable=False),
    sa.Column("ans_code", sa.String(6), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("since", sa.Date, nullable=False),
    sa.UniqueConstraint("provider_id", "ans_code", name="uq_accreditations_provider_operator"),
)

secretaries = sa.Table(
    "secretaries", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("locale", sa.String(10)),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

invitations = sa.Table(
    "invitations", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
    sa.Column("secretary_id", sa.String(36), sa.ForeignKey("secretaries.id"), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("invited_by", sa.String(36)),
    sa.Column("until", sa.Date),  # the term proposed: the last day, or indefinite
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("decided_at", UTCDateTime()),
    sa.Index("ix_invitations_provider", "provider_id", "created_at"),
    sa.Index("ix_invitations_secretary", "secretary_id", "status"),
    # at most one pending invitation per pair, even under concurrent requests
    sa.Index("uq_invitations_pending", "provider_id", "secretary_id", unique=True,
             sqlite_where=sa.text("status = 'pending'"),
             postgresql_where=sa.text("status = 'pending'")),
)

relationships = sa.Table(
    "relationships", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
    sa.Column("secretary_id", sa.String(36), sa.ForeignKey("secretaries.id"), nullable=False),
    sa.Column("invitation_id", sa.String(36), sa.ForeignKey("invitations.id")),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("until", sa.Date),
    sa.Column("ends_at", UTCDateTime()),
    sa.Column("ended_by", sa.String(20)),
    sa.Index("ix_relationships_provider", "provider_id", "started_at"),
    sa.Index("ix_relationships_secretary", "secretary_id", "status"),
    sa.Index("ix_relationships_due", "status", "ends_at"),
    # at most one active relationship per pair
    sa.Index("uq_relationships_active", "provider_id", "secretary_id", unique=True,
             sqlite_where=sa.text("status = 'active'"),
             postgresql_where=sa.text("status = 'active'")),
)
