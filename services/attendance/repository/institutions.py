"""Institutions, their managers and their approved attendants' access requests."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from ponte.contracts.attendance import APPROVED
from ponte.db import insert_ignoring_duplicates
from ponte.pagination import page
from services.attendance.domain.access import AttendantRequest
from services.attendance.domain.catalogue import Institution
from services.attendance.models import attendant_requests, institution_managers, institutions
from services.attendance.repository.base import Page, Part, row_of

# read on every submission: built once (ponte.sql)
INSTITUTION = sa.select(institutions).where(institutions.c.id == sa.bindparam("institution"))
ATTENDANTS = sa.select(attendant_requests.c.servant_id).where(
    attendant_requests.c.institution_id == sa.bindparam("institution"),
    attendant_requests.c.status == APPROVED).order_by(attendant_requests.c.decided_at)


class Institutions(Part):
    def add_institution(self, institution: Institution) -> None:
        self.session.execute(institutions.insert().values(**row_of(institutions, institution)))

    def institution(self, institution_id: str) -> Institution | None:
        row = self.session.execute(INSTITUTION, {"institution": institution_id}) \
            .mappings().first()
        return Institution(**dict(row)) if row else None

    def institutions(self, ids: Iterable[str]) -> dict[str, Institution]:
        rows = self.session.execute(sa.select(institutions).where(
            institutions.c.id.in_(set(ids)))).mappings()
        return {r["id"]: Institution(**dict(r)) for r in rows}

    def institutions_page(self, limit: int, cursor: str | None) -> Page:
        rows, next_cursor = page(self.session, sa.select(institutions),
                                 [institutions.c.name, institutions.c.id], limit, cursor,
                                 descending=False)
        return [Institution(**dict(r)) for r in rows], next_cursor

    def add_manager(self, institution_id: str, account_id: str, by: str, now: datetime) -> bool:
        """False when the account already manages the institution."""
        exists = self.session.execute(sa.select(institution_managers.c.account_id).where(
            institution_managers.c.institution_id == institution_id,
            institution_managers.c.account_id == account_id)).first()
        if exists:
            return False
        insert_ignoring_duplicates(self.session, institution_managers,
                                   institution_id=institution_id, account_id=account_id,
                                   designated_by=by, created_at=now)
        return True

    def managers(self, institution_id: str) -> list[str]:
        return list(self.session.execute(
            sa.select(institution_managers.c.account_id)
            .where(institution_managers.c.institution_id == institution_id)
            .order_by(institution_managers.c.created_at)).scalars())

    def is_manager(self, institution_id: str, account_id: str) -> bool:
        return account_id in self.managers(institution_id)

    def add_attendant_request(self, request: AttendantRequest) -> None:
        self.session.execute(attendant_requests.insert().values(
            **row_of(attendant_requests, request)))

    def save_attendant_request(self, request: AttendantRequest) -> None:
        self.session.execute(attendant_requests.update()
                             .where(attendant_requests.c.id == request.id)
                             .values(**row_of(attendant_requests, request)))

    def attendant_request(self, request_id: str, lock: bool = False) -> AttendantRequest | None:
        row = self._one(sa.select(attendant_requests)
                        .where(attendant_requests.c.id == request_id), lock)
        return AttendantRequest(**dict(row)) if row else None

    def attendant_requests_of(self, institution_id: str, servant_id: str) -> list[AttendantRequest]:
        rows = self.session.execute(sa.select(attendant_requests).where(
            attendant_requests.c.institution_id == institution_id,
            attendant_requests.c.servant_id == servant_id)).mappings()
        return [AttendantRequest(**dict(r)) for r in rows]

    def attendant_requests_page(self, institution_id: str, status: str | None, limit: int,
                                cursor: str | None) -> Page:
        query = sa.select(attendant_requests).where(
            attendant_requests.c.institution_id == institution_id)
        if status:
            query = query.where(attendant_requests.c.status == status)
        rows, next_cursor = page(self.session, query, [attendant_requests.c.created_at,
                                                       attendant_requests.c.id], limit, cursor)
        return [AttendantRequest(**dict(r)) for r in rows], next_cursor

    def attendants(self, institution_id: str) -> list[str]:
        """Account ids of the institution's approved attendants."""
        return list(self.session.execute(ATTENDANTS, {"institution": institution_id}).scalars())

    def is_attendant(self, institution_id: str, account_id: str) -> bool:
        return self.session.execute(sa.select(attendant_requests.c.id).where(
            attendant_requests.c.institution_id == institution_id,
            attendant_requests.c.servant_id == account_id,
            attendant_requests.c.status == APPROVED)).first() is not None
