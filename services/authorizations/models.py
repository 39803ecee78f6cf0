"""Tables of the authorizations service: the procedure catalogue, requests with their items,
attachments and interactions, authorization codes, payments, inquiries, and read models of
identity's accounts and providers (names for timelines and events)."""
from __future__ import annotations

import sqlalchemy as sa

from ponte.db import UTCDateTime

metadata = sa.MetaData()
MONEY = sa.Numeric(14, 2, asdecimal=True)

procedures = sa.Table(
    "procedures", metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("search_key", sa.String(300), nullable=False),
    sa.Column("requires_review", sa.Boolean, nullable=False),
    sa.Column("requires_tooth", sa.Boolean, nullable=False),
    sa.Column("requires_region", sa.Boolean, nullable=False),
    sa.Column("requires_faces", sa.Boolean, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

requests = sa.Table(
    "requests", metadata,
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
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("submitted_at", UTCDateTime()),
    sa.Column("due_at", UTCDateTime()),
    sa.Column("decided_at", UTCDateTime()),
    sa.Column("justification", sa.Text),
    sa.Column("cancel_reason", sa.Text),
    sa.Column("overdue_notified", sa.Boolean, nullable=False),
    sa.Column("appeals", sa.Integer, nullable=False),
    sa.Column("appointment_id", sa.String(36)),
    sa.Index("ix_requests_provider", "provider_id", "created_at", "id"),
    sa.Index("ix_requests_created", "created_at", "id"),
    sa.Index("ix_requests_queue", "status", "due_at", "id"),
    sa.Index("ix_requests_beneficiary_cpf", "beneficiary_cpf"),
    sa.Index("ix_requests_beneficiary_card", "beneficiary_card"),
)

request_items = sa.Table(
    "request_items", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False,
              index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("procedure_code", sa.String(8), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("tooth", sa.Integer),
    sa.Column("region", sa.String(4)),
    sa.Column("faces", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("denial_reason", sa.String(30)),
)

interactions = sa.Table(
    "interactions", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("author_id", sa.String(36), nullable=False),
    sa.Column("author_side", sa.String(20), nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("request_id", "position", name="uq_interactions_position"),
)

attachments = sa.Table(
    "attachments", metadata,
    sa.Column("id", sa.String(36), primary_key=True),  # the upload's id
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id"), nullable=False,
              index=True),
    sa.Column("interaction_id", sa.String(36), sa.ForeignKey("interactions.id")),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("attached_by", sa.String(36), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

codes = sa.Table(
    "authorization_codes", metadata,
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

payments = sa.Table(
    "payments", metadata,
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
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_payments_provider", "provider_id", "created_at", "id"),
    sa.Index("ix_payments_created", "created_at"),
)

inquiries = sa.Table(
    "inquiries", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("provider_id", sa.String(36), nullable=False),
    sa.Column("subject", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("request_id", sa.String(36), sa.ForeignKey("requests.id")),
    sa.Column("created_by", sa.String(36), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("payment_id", sa.String(36),
              sa.ForeignKey("payments.id", name="fk_inquiries_payment_id_payments")),
    sa.Column("appointment_id", sa.String(36)),
    sa.Index("ix_inquiries_provider", "provider_id", "created_at"),
    sa.Index("ix_inquiries_created", "created_at"),
)

inquiry_messages = sa.Table(
    "inquiry_messages", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("inquiry_id", sa.String(36), sa.ForeignKey("inquiries.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("author_id", sa.String(36), nullable=False),
    sa.Column("author_side", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("inquiry_id", "position", name="uq_inquiry_messages_position"),
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(20)),
    sa.Column("name", sa.String(300)),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

providers = sa.Table(
    "providers", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("legal_name", sa.String(300), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
