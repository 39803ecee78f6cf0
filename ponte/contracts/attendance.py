"""The words of API.md "Attendance" that the gateway and the attendance service spell alike."""
from __future__ import annotations

DRAFT, PUBLISHED, UNPUBLISHED = "draft", "published", "unpublished"
SERVICE_STATUSES: tuple[str, ...] = (DRAFT, PUBLISHED, UNPUBLISHED)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
ACCESS_STATUSES: tuple[str, ...] = (PENDING, APPROVED, REJECTED)
"""Of an attendant request."""
RATING_STATUSES: tuple[str, ...] = (PENDING, APPROVED, REJECTED)

SUBMITTED, IN_ANALYSIS, IN_PROGRESS, CONCLUDED = (
    "submitted", "in_analysis", "in_progress", "concluded")
REQUEST_STATUSES: tuple[str, ...] = (SUBMITTED, IN_ANALYSIS, IN_PROGRESS, REJECTED, CONCLUDED)
"""Of a citizen's service request."""
OPEN_REQUEST_STATUSES: tuple[str, ...] = (SUBMITTED, IN_ANALYSIS, IN_PROGRESS)

FIELD_TYPES: tuple[str, ...] = ("text", "number", "date", "cpf", "email", "choice")
"""Of a service's form fields."""

MEETING, APPOINTMENT = "meeting", "appointment"
AGENDA_KINDS: tuple[str, ...] = (MEETING, APPOINTMENT)

BOOKED, CANCELLED = "booked", "cancelled"
APPOINTMENT_STATUSES: tuple[str, ...] = (BOOKED, CANCELLED)
APPOINTMENT_SIDES: tuple[str, ...] = ("citizen", "provider", "institution")
"""Who cancelled an appointment."""
FOLLOW_UP_SIDES: tuple[str, ...] = ("attendant", "citizen")

MIN_YEAR, MAX_YEAR = 1900, 2999
"""A date the edge accepts (an agenda's or a period's day): its bounds must be computable."""
