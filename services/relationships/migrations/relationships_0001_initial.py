"""Invitations, relationships, accreditations and the read models of providers and secretaries.

Revision ID: relationships_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from ponte import messaging

revision = "relationships_0001"
down_revision = None
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
ACTIVE = sa.text("status = 'active'")


def upgrade() -> None:
    messaging.create_tables(op.get_bind())
    op.create_table(
        "providers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("document", sa.String(20)),
        sa.Column("person_type", sa.String(20)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "provider_logins",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
    )
    op.create_index("ix_provider_logins_provider_id", "provider_logins", ["provider_id"])
    op.create_table(
        "accreditations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("ans_code", sa.String(6), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.UniqueConstraint("provider_id", "ans_code", name="uq_accreditations_provider_operator"),
    )
    op.create_table(
        "secretaries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("locale", sa.String(10)),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("secretary_id", sa.String(36), sa.ForeignKey("secretaries.id"),
                  nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("invited_by", sa.String(36)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_invitations_provider", "invitations", ["provider_id", "created_at"])
    op.create_index("ix_invitations_secretary", "invitations", ["secretary_id", "status"])
    op.create_index("uq_invitations_pending", "invitations", ["provider_id", "secretary_id"],
                    unique=True, sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_table(
        "relationships",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("secretary_id", sa.String(36), sa.ForeignKey("secretaries.id"),
                  nullable=False),
        sa.Column("invitation_id", sa.String(36), sa.ForeignKey("invitations.id")),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.Date),
        sa.Column("ends_at", sa.DateTime(timezone=True)),
        sa.Column("ended_by", sa.String(20)),
    )
    op.create_index("ix_relationships_provider", "relationships", ["provider_id", "started_at"])
    op.create_index("ix_relationships_secretary", "relationships", ["secretary_id", "status"])
    op.create_index("ix_relationships_due", "relationships", ["status", "ends_at"])
    op.create_index("uq_relationships_active", "relationships", ["provider_id", "secretary_id"],
                    unique=True, sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade() -> None:
    for table in ("relationships", "invitations", "secretaries", "accreditations",
                  "provider_logins", "providers"):
        op.drop_table(table)
