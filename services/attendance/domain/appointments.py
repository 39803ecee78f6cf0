"""Appointments (003, "Gestione appuntamenti"; SPEC "appointments at providers and
institutions"): a patient books a time at a provider, or a citizen at an institution, with notes
and documents; the provider (or the institution's attendants) is told and sees it with its
documents; either side cancels and the other side is told.

    appointment: booked → cancelled
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ponte.contracts.attendance import BOOKED, CANCELLED
from ponte.errors import Conflict
from services.attendance.domain.catalogue import new_id
from services.attendance.domain.requests import require_future


@dataclass
class Appointment:
    provider_id: str | None
    citizen_id: str
    starts_at: datetime
    notes: str | None
    attachments: list[dict[str, Any]]
    created_at: datetime
    status: str = BOOKED
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None  # citizen | provider | institution
    institution_id: str | None = None
    id: str = field(default_factory=new_id)

    @classmethod
    def book(cls, provider_id: str | None, citizen_id: str, starts_at: datetime,
             notes: str | None, attachments: list[dict[str, Any]], now: datetime,
             institution_id: str | None = None) -> Appointment:
        """At a provider, or at an institution (``provider_id`` None)."""
        require_future(starts_at, now)
        return cls(provider_id, citizen_id, starts_at, (notes or "").strip() or None,
                   attachments, now, institution_id=institution_id)

    def cancel(self, side: str, now: datetime) -> None:
        if self.status != BOOKED:
            raise Conflict(f"This appointment is already {self.status}.")
        self.status, self.cancelled_at, self.cancelled_by = CANCELLED, now, side


def require_complete_profile(missing: list[str]) -> None:
    """A provider operates only with its required profile data: booking with it while fields
    are ``missing`` is a conflict naming them."""
    if missing:
        raise Conflict("This provider's profile is incomplete; it cannot take appointments yet.",
                       {"profile": list(missing)})
