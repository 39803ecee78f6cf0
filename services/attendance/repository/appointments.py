"""Appointments at providers and institutions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ponte.contracts.attendance import BOOKED
from ponte.pagination import page
from services.attendance.domain.appointments import Appointment
from services.attendance.models import appointments
from services.attendance.repository.base import Page, Part, row_of


class Appointments(Part):
    def add_appointment(self, appointment: Appointment, provider_name: str | None) -> None:
        self.session.execute(appointments.insert().values(
            **row_of(appointments, appointment), provider_name=provider_name))

    def save_appointment(self, appointment: Appointment) -> None:
        self.session.execute(appointments.update().where(appointments.c.id == appointment.id)
                             .values(**row_of(appointments, appointment)))

    def appointment(self, appointment_id: str,
                    lock: bool = False) -> tuple[Appointment, str | None] | None:
        row = self._one(sa.select(appointments).where(appointments.c.id == appointment_id), lock)
        return (_appointment(row), row["provider_name"]) if row else None

    def appointments_page(self, limit: int, cursor: str | None, *,
                          provider_id: str | None = None, citizen_id: str | None = None,
                          institution_id: str | None = None, start: datetime | None = None,
                          end: datetime | None = None) -> Page:
        query = sa.select(appointments)
        if provider_id:
            query = query.where(appointments.c.provider_id == provider_id)
        if institution_id:
            query = query.where(appointments.c.institution_id == institution_id)
        if citizen_id:
            query = query.where(appointments.c.citizen_id == citizen_id)
        if start:
            query = query.where(appointments.c.starts_at >= start)
        if end:
            query = query.where(appointments.c.starts_at < end)
        rows, next_cursor = page(self.session, query,
                                 [appointments.c.starts_at, appointments.c.id], limit, cursor,
                                 descending=False)
        return [(_appointment(r), r["provider_name"]) for r in rows], next_cursor

    def institution_appointments_between(self, institution_id: str, start: datetime,
                                         end: datetime) -> list[Appointment]:
        rows = self.session.execute(sa.select(appointments).where(
            appointments.c.institution_id == institution_id,
            appointments.c.status == BOOKED, appointments.c.starts_at >= start,
            appointments.c.starts_at < end)
            .order_by(appointments.c.starts_at, appointments.c.id)).mappings()
        return [_appointment(r) for r in rows]


def _appointment(row: Any) -> Appointment:
    values = dict(row)
    values.pop("provider_name", None)
    return Appointment(**values)
