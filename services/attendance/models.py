"""Tables of the attendance service: institutions and their managers, the service catalogue,
attendant access, service requests with their follow-ups, meetings and ratings, appointments at
providers, the attachments it holds, and the names of the people it shows (copied from identity
when they first act here)."""
from __future__ import annotations

import sqlalchemy as sa

from ponte.db import UTCDateTime

metadata = sa.MetaData()
NOT_REJECTED = sa.text("status <> 'rejected'")


def _id(name: str = "id", *args: object, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.String(36), *args, **kwargs)


people = sa.Table(
    "people", metadata,
    _id(primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

institutions = sa.Table(
    "institutions", metadata,
    _id(primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("acronym", sa.String(50), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_institutions_created", "created_at", "id"),
)

institution_managers = sa.Table(
    "institution_managers", metadata,
    _id("institution_id", sa.ForeignKey("institutions.id"), primary_key=True),
    _id("account_id", primary_key=True),
    _id("designated_by"),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_institution_managers_account", "account_id"),
)

services = sa.Table(
    "services", metadata,
    _id(primary_key=True),
    _id("institution_id", sa.ForeignKey("institutions.id"), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("audience", sa.Text, nullable=False),
    sa.Column("requirements", sa.JSON, nullable=False),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("form_fields", sa.JSON, nullable=False),
    sa.Column("due_business_days", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("published_at", UTCDateTime()),
    sa.Column("search_text", sa.Text, nullable=False),  # name and description, unaccented
    sa.Index("ix_services_institution", "institution_id", "status"),
    sa.Index("ix_services_status", "status", "name", "id"),
)

attendant_requests = sa.Table(
    "attendant_requests", metadata,
    _id(primary_key=True),
    _id("institution_id", sa.ForeignKey("institutions.id"), nullable=False),
    _id("servant_id", nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("decided_at", UTCDateTime()),
    _id("decided_by"),
    sa.Column("reason", sa.Text),
    sa.Index("ix_attendant_requests_institution", "institution_id", "created_at"),
    # one pending or approved request per servant and institution, even under concurrency
    sa.Index("uq_attendant_requests_open", "institution_id", "servant_id", unique=True,
             sqlite_where=NOT_REJECTED, postgresql_where=NOT_REJECTED),
)

service_requests = sa.Table(
    "service_requests", metadata,
    _id(primary_key=True),
    _id("service_id", sa.ForeignKey("services.id"), nullable=False),
    _id("institution_id", sa.ForeignKey("institutions.id"), nullable=False),
    _id("citizen_id", nullable=False),
    sa.Column("protocol", sa.String(20), nullable=False, unique=True),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("attachments", sa.JSON, nullable=False),
    sa.Column("checklist", sa.JSON, nullable=False),
    _id("assigned_attendant_id"),
    _id("analysis_started_by"),
    sa.Column("analysis_started_at", UTCDateTime()),
    _id("decided_by"),
    sa.Column("decided_at", UTCDateTime()),
    sa.Column("rejection_justification", sa.Text),
    sa.Column("conclusion_note", sa.Text),
    sa.Column("concluded_at", UTCDateTime()),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("overdue_notified_at", UTCDateTime()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_service_requests_queue", "institution_id", "status", "due_at", "id"),
    sa.Index("ix_service_requests_citizen", "citizen_id", "created_at", "id"),
    sa.Index("ix_service_requests_due", "overdue_notified_at", "due_at"),
)

follow_ups = sa.Table(
    "follow_ups", metadata,
    _id(primary_key=True),
    _id("request_id", sa.ForeignKey("service_requests.id"), nullable=False),
    _id("author_id", nullable=False),
    sa.Column("side", sa.String(20), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("attachments", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_follow_ups_request", "request_id", "created_at", "id"),
)

meetings = sa.Table(
    "meetings", metadata,
    _id(primary_key=True),
    _id("request_id", sa.ForeignKey("service_requests.id"), nullable=False),
    _id("institution_id", nullable=False),
    sa.Column("starts_at", UTCDateTime(), nullable=False),
    sa.Column("duration_minutes", sa.Integer, nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("join_url", sa.String(500), nullable=False),
    _id("scheduled_by", nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_meetings_request", "request_id", "starts_at"),
    sa.Index("ix_meetings_agenda", "institution_id", "starts_at"),
)

ratings = sa.Table(
    "ratings", metadata,
    _id(primary_key=True),
    _id("request_id", sa.ForeignKey("service_requests.id"), nullable=False, unique=True),
    _id("service_id", nullable=False),
    _id("institution_id", nullable=False),
    _id("citizen_id", nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    _id("moderated_by"),
    sa.Column("moderated_at", UTCDateTime()),
    sa.Column("moderation_reason", sa.Text),
    sa.Index("ix_ratings_institution", "institution_id", "status", "created_at"),
    sa.Index("ix_ratings_service", "service_id", "status", "created_at"),
)

appointments = sa.Table(
    "appointments", metadata,
    _id(primary_key=True),
    _id("provider_id"),  # an appointment is at a provider or at an institution
    sa.Column("provider_name", sa.String(300)),
    _id("institution_id", sa.ForeignKey("institutions.id")),
    _id("citizen_id", nullable=False),
    sa.Column("starts_at", UTCDateTime(), nullable=False),
    sa.Column("notes", sa.Text),
    sa.Column("attachments", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("cancelled_at", UTCDateTime()),
    sa.Column("cancelled_by", sa.String(20)),
    sa.Index("ix_appointments_provider", "provider_id", "starts_at", "id"),
    sa.Index("ix_appointments_citizen", "citizen_id", "starts_at", "id"),
    sa.Index("ix_appointments_institution", "institution_id", "starts_at", "id"),
)

# which of this service's things each upload is attached to (``may_read_attachment``)
held_attachments = sa.Table(
    "held_attachments", metadata,
    _id("attachment_id", primary_key=True),
    sa.Column("holder", sa.String(20), primary_key=True),  # service_request | appointment
    _id("holder_id", primary_key=True),
)
