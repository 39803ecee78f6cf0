"""Appointments at a provider (003, "Gestione appuntamenti"): a patient books a time with notes
and documents; the provider is told and sees it with its documents; either side cancels and the
other side is told.

    appointment: booked → cancelled
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ponte.errors import Conflict, InvalidInput
from services.attendance.domain.catalogue import new_id

APPOINTMENT_STATUSES = ("booked", "cancelled")


@dataclass
class Appointment:
    provider_id: str
    citizen_id: str
    starts_at: datetime
    notes: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime
    status: str = "booked"
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None  # citizen | provider
    id: str = field(default_factory=new_id)

    @classmethod
    def book(cls, provider_id: str, citizen_id: str, starts_at: datetime, notes: str | None,
             attachments: list[dict[str, Any]], now: datetime) -> "Appointment":
        if starts_at <= now:
            raise InvalidInput("An appointment is booked for a time in the future.",
                               {"starts_at": ["Must be in the future."]})
        return cls(provider_id, citizen_id, starts_at, (notes or "").strip() or None,
                   attachments, now)

    def cancel(self, side: str, now: datetime) -> None:
        if self.status != "booked":
            raise Conflict(f"This appointment is already {self.status}.")
        self.status, self.cancelled_at, self.cancelled_by = "cancelled", now, side
