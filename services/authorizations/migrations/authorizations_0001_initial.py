"""Catalogue, requests, items, interactions, attachments, codes, payments, inquiries, read models
of accounts and providers, and the starting dental catalogue.

Revision ID: authorizations_0001
Revises:
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from ponte import idempotency, messaging, numbering
from services.authorizations.catalogue_seed import STARTING_CATALOGUE
from services.authorizations.domain.catalogue import search_key

revision = "authorizations_0001"
down_revision = None
branch_labels = None
depends_on = None

NOW = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2)


def upgrade() -> None:
    connection = op.get_bind()
    messaging.create_tables(connection)
    numbering.create_tables(connection)
    idempotency.create_tables(connection)
    procedures = op.create_table(
        "procedures",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("search_key", sa.String(300), nullable=False),
        sa.Column("requires_review", sa.Boolean, nullable=False),
        sa.Column("requires_tooth", sa.Boolean, nullable=False),
        sa.Column("requires_region", sa.Boolean, nullable=False),
        sa.Column("requires_faces", sa.Boolean, nullable=False),
        sa.Column("updated_at", NOW, nullable=False),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(8), unique=True),
        sa.Column("protocol", sa.String(20), unique=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("demand_group", sa.String(60), nullable=False),
        sa.Column("demand_type", sa.String(60), nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        sa.Column("professional_document", sa.String(14), nullable=False),
        sa.Column("beneficiary", sa.JSON, nullable=False),
        sa.Column("beneficiary_cpf", sa.String(11)),
        sa.Column("beneficiary_card", sa.String(30)),
        sa.Column("observations", sa.Text),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("submitted_at", NOW),
        sa.Column("due_at", NOW),
        sa.Column("decided_at", NOW),
        sa.Column("justification", sa.Text),
        sa.Column("cancel_reason", sa.Text),
        sa.Column("overdue_notified", sa.Boolean, nullable=False),
        sa.Column("appeals", sa.Integer, nullable=False),
    )
    op.create_index("ix_requests_provider", "requests", ["provider_id", "created_at", "id"])
    op.create_index("ix_requests_created", "requests", ["created_at", "id"])
    op.create_index("ix_requests_queue", "requests", ["status", "due_at", "id"])
    op.create_index("ix_requests_beneficiary_cpf", "requests", ["beneficiary_cpf"])
    op.create_index("ix_requests_beneficiary_card", "requests", ["beneficiary_card"])
    op.create_table(
        "request_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("procedure_code", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("tooth", sa.Integer),
        sa.Column("region", sa.String(4)),
        sa.Column("faces", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("denial_reason", sa.String(30)),
    )
    op.create_index("ix_request_items_request_id", "request_items", ["request_id"])
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("author_side", sa.String(20), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("created_at", NOW, nullable=False),
        sa.UniqueConstraint("request_id", "position", name="uq_interactions_position"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("interaction_id", sa.String(36), sa.ForeignKey("interactions.id")),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("attached_by", sa.String(36), nullable=False),
        sa.Column("created_at", NOW, nullable=False),
    )
    op.create_index("ix_attachments_request_id", "attachments", ["request_id"])
    op.create_table(
        "authorization_codes",
        sa.Column("code", sa.String(19), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False,
                  unique=True),
        sa.Column("request_number", sa.String(8), nullable=False),
        sa.Column("procedure_codes", sa.JSON, nullable=False),
        sa.Column("beneficiary", sa.JSON, nullable=False),
        sa.Column("professional_document", sa.String(14), nullable=False),
        sa.Column("released_on", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id")),
        sa.Column("beneficiary", sa.JSON),
        sa.Column("invoice_number", sa.String(60), nullable=False),
        sa.Column("invoice_issued_on", sa.Date, nullable=False),
        sa.Column("invoice_amount", MONEY, nullable=False),
        sa.Column("amount_paid", MONEY, nullable=False),
        sa.Column("withheld", MONEY, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(36), nullable=False),
        sa.Column("created_at", NOW, nullable=False),
    )
    op.create_index("ix_payments_provider", "payments", ["provider_id", "created_at", "id"])
    op.create_index("ix_payments_created", "payments", ["created_at"])
    op.create_table(
        "inquiries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id")),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("updated_at", NOW, nullable=False),
    )
    op.create_index("ix_inquiries_provider", "inquiries", ["provider_id", "created_at"])
    op.create_index("ix_inquiries_created", "inquiries", ["created_at"])
    op.create_table(
        "inquiry_messages",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("inquiry_id", sa.String(36), sa.ForeignKey("inquiries.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("author_side", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", NOW, nullable=False),
        sa.UniqueConstraint("inquiry_id", "position", name="uq_inquiry_messages_position"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20)),
        sa.Column("name", sa.String(300)),
        sa.Column("updated_at", NOW, nullable=False),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("legal_name", sa.String(300), nullable=False),
        sa.Column("updated_at", NOW, nullable=False),
    )
    seeded_at = datetime(2026, 12, 1, tzinfo=UTC)
    op.bulk_insert(procedures, [
        {"code": code, "name": name, "search_key": search_key(name), "requires_review": review,
         "requires_tooth": tooth, "requires_region": region, "requires_faces": faces,
         "updated_at": seeded_at}
        for code, name, review, tooth, region, faces in STARTING_CATALOGUE])


def downgrade() -> None:
    for table in ("providers", "accounts", "inquiry_messages", "inquiries", "payments",
                  "authorization_codes", "attachments", "interactions", "request_items",
                  "requests", "procedures"):
        op.drop_table(table)
