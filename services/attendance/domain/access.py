"""Attendant access (002, "Perfil Atendente"): a servant asks for attendant access to an
institution; its manager approves or rejects it with a reason. Only approved attendants work the
institution's requests.

    attendant request: pending → approved | rejected
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ponte.contracts.attendance import APPROVED, PENDING, REJECTED
from ponte.errors import Conflict
from services.attendance.domain.catalogue import new_id, required_text


@dataclass
class AttendantRequest:
    institution_id: str
    servant_id: str
    created_at: datetime
    message: str | None = None
    status: str = PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    id: str = field(default_factory=new_id)

    def approve(self, manager_id: str, now: datetime) -> None:
        self._decide(APPROVED, manager_id, now)

    def reject(self, manager_id: str, reason: str | None, now: datetime) -> None:
        reason = required_text(reason, "reason")
        self._decide(REJECTED, manager_id, now)
        self.reason = reason

    def _decide(self, status: str, manager_id: str, now: datetime) -> None:
        if self.status != PENDING:
            raise Conflict(f"This attendant request is already {self.status}.")
        self.status, self.decided_by, self.decided_at = status, manager_id, now


def may_ask(existing: list[AttendantRequest]) -> None:
    """One open question at a time: a servant with a pending or approved request for the
    institution asks nothing more (a rejected one may ask again)."""
    for request in existing:
        if request.status == PENDING:
            raise Conflict("You already asked for attendant access to this institution.")
        if request.status == APPROVED:
            raise Conflict("You are already an attendant of this institution.")
