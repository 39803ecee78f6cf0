"""Loading and saving the attendance service's state inside one unit of work."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ponte.db import insert_ignoring_duplicates
from ponte.pagination import page
from services.attendance.domain.access import AttendantRequest
from services.attendance.domain.appointments import Appointment
from services.attendance.domain.catalogue import Institution, Service, Step, search_key
from services.attendance.domain.forms import FormField
from services.attendance.domain.requests import FollowUp, Meeting, Rating, ServiceRequest
from services.attendance.models import (appointments, attendant_requests, follow_ups,
                                        held_attachments, institution_managers, institutions,
                                        meetings, people, ratings, service_requests, services)

Page = tuple[list[Any], str | None]


def _row(table: sa.Table, obj: Any, **extra: Any) -> dict[str, Any]:
    values = {c.name: getattr(obj, c.name) for c in table.columns if hasattr(obj, c.name)}
    return {**values, **extra}


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _one(self, query: sa.Select, lock: bool) -> Any:
        return self.session.execute(query.with_for_update() if lock else query).mappings().first()

    # -- people (names of accounts that acted here, from identity) ------------------------

    def save_person(self, account: dict[str, Any], now: datetime) -> None:
        """As identity has them now. A row that has not changed is only read: writing it would
        lock it until the commit, and the same person's concurrent requests would queue."""
        values = {"kind": account["kind"], "name": account["name"],
                  "email": account.get("email")}
        stored = self.session.execute(sa.select(people.c.kind, people.c.name, people.c.email)
                                      .where(people.c.id == account["id"])).mappings().first()
        if stored is None:
            insert_ignoring_duplicates(self.session, people, id=account["id"], **values,
                                       updated_at=now)
        elif dict(stored) != values:
            self.session.execute(people.update().where(people.c.id == account["id"])
                                 .values(**values, updated_at=now))

    def rename_person(self, account_id: str, name: str, email: str | None,
                      now: datetime) -> None:
        """A name changed in identity; people who never acted here are not copied."""
        self.session.execute(people.update().where(people.c.id == account_id)
                             .values(name=name, email=email, updated_at=now))

    def names(self, ids: Iterable[str | None]) -> dict[str, str]:
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        rows = self.session.execute(sa.select(people.c.id, people.c.name)
                                    .where(people.c.id.in_(wanted)))
        return {row.id: row.name for row in rows}

    # -- institutions and managers ------------------------------------------------------

    def add_institution(self, institution: Institution) -> None:
        self.session.execute(institutions.insert().values(**_row(institutions, institution)))

    def institution(self, institution_id: str) -> Institution | None:
        row = self._one(sa.select(institutions).where(institutions.c.id == institution_id),
                        False)
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

    def managed_by(self, account_id: str) -> list[str]:
        return list(self.session.execute(
            sa.select(institution_managers.c.institution_id)
            .where(institution_managers.c.account_id == account_id)).scalars())

    def is_manager(self, institution_id: str, account_id: str) -> bool:
        return account_id in self.managers(institution_id)

    # -- services -----------------------------------------------------------------------

    @staticmethod
    def _service_values(service: Service) -> dict[str, Any]:
        return {**_row(services, service), "requirements": list(service.requirements),
                "steps": [{"id": s.id, "title": s.title} for s in service.steps],
                "form_fields": [f.as_dict() for f in service.form]}

    def add_service(self, service: Service) -> None:
        self.session.execute(services.insert().values(**self._service_values(service)))

    def save_service(self, service: Service) -> None:
        self.session.execute(services.update().where(services.c.id == service.id)
                             .values(**self._service_values(service)))

    def service(self, service_id: str, lock: bool = False) -> Service | None:
        row = self._one(sa.select(services).where(services.c.id == service_id), lock)
        return _service(row) if row else None

    def services_by_id(self, ids: Iterable[str]) -> dict[str, Service]:
        rows = self.session.execute(sa.select(services).where(
            services.c.id.in_(set(ids)))).mappings()
        return {r["id"]: _service(r) for r in rows}

    def services_page(self, limit: int, cursor: str | None, *, q: str | None = None,
                      institution_id: str | None = None, published_only: bool = True) -> Page:
        query = sa.select(services)
        if published_only:
            query = query.where(services.c.status == "published")
        if institution_id:
            query = query.where(services.c.institution_id == institution_id)
        if q:
            words = search_key(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(services.c.search_text.like(f"%{words}%", escape="\\"))
        rows, next_cursor = page(self.session, query, [services.c.name, services.c.id], limit,
                                 cursor, descending=False)
        return [_service(r) for r in rows], next_cursor

    # -- attendant access ---------------------------------------------------------------

    def add_attendant_request(self, request: AttendantRequest) -> None:
        self.session.execute(attendant_requests.insert().values(
            **_row(attendant_requests, request)))

    def save_attendant_request(self, request: AttendantRequest) -> None:
        self.session.execute(attendant_requests.update()
                             .where(attendant_requests.c.id == request.id)
                             .values(**_row(attendant_requests, request)))

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
        return list(self.session.execute(
            sa.select(attendant_requests.c.servant_id).where(
                attendant_requests.c.institution_id == institution_id,
                attendant_requests.c.status == "approved")
            .order_by(attendant_requests.c.decided_at)).scalars())

    def is_attendant(self, institution_id: str, account_id: str) -> bool:
        return self.session.execute(sa.select(attendant_requests.c.id).where(
            attendant_requests.c.institution_id == institution_id,
            attendant_requests.c.servant_id == account_id,
            attendant_requests.c.status == "approved")).first() is not None

    # -- service requests ---------------------------------------------------------------

    def add_request(self, request: ServiceRequest) -> None:
        self.session.execute(service_requests.insert().values(**_row(service_requests, request)))

    def save_request(self, request: ServiceRequest) -> None:
        self.session.execute(service_requests.update()
                             .where(service_requests.c.id == request.id)
                             .values(**_row(service_requests, request)))

    def request(self, request_id: str, lock: bool = False) -> ServiceRequest | None:
        row = self._one(sa.select(service_requests).where(service_requests.c.id == request_id),
                        lock)
        return _request(row) if row else None

    def requests_page(self, limit: int, cursor: str | None, *, citizen_id: str | None = None,
                      institution_id: str | None = None, status: str | None = None) -> Page:
        query = sa.select(service_requests)
        if citizen_id:
            query = query.where(service_requests.c.citizen_id == citizen_id)
            order = [service_requests.c.created_at, service_requests.c.id]
            descending = True
        else:
            query = query.where(service_requests.c.institution_id == institution_id)
            order = [service_requests.c.due_at, service_requests.c.id]
            descending = False  # the queue: the most urgent first
        if status:
            query = query.where(service_requests.c.status == status)
        rows, next_cursor = page(self.session, query, order, limit, cursor,
                                 descending=descending)
        return [_request(r) for r in rows], next_cursor

    def newly_overdue(self, now: datetime, limit: int = 200) -> list[ServiceRequest]:
        query = (sa.select(service_requests)
                 .where(service_requests.c.overdue_notified_at.is_(None),
                        service_requests.c.due_at < now,
                        service_requests.c.status.in_(("submitted", "in_analysis",
                                                       "in_progress")))
                 .order_by(service_requests.c.due_at).limit(limit)
                 .with_for_update(skip_locked=True))
        return [_request(r) for r in self.session.execute(query).mappings()]

    # -- follow-ups, meetings -----------------------------------------------------------

    def add_follow_up(self, follow_up: FollowUp) -> None:
        self.session.execute(follow_ups.insert().values(**_row(follow_ups, follow_up)))

    def follow_ups_page(self, request_id: str, limit: int, cursor: str | None) -> Page:
        rows, next_cursor = page(self.session, sa.select(follow_ups).where(
            follow_ups.c.request_id == request_id), [follow_ups.c.created_at, follow_ups.c.id],
            limit, cursor, descending=False)
        return [FollowUp(**dict(r)) for r in rows], next_cursor

    def add_meeting(self, meeting: Meeting) -> None:
        self.session.execute(meetings.insert().values(**_row(meetings, meeting)))

    def meetings_page(self, request_id: str, limit: int, cursor: str | None) -> Page:
        rows, next_cursor = page(self.session, sa.select(meetings).where(
            meetings.c.request_id == request_id), [meetings.c.starts_at, meetings.c.id],
            limit, cursor, descending=False)
        return [Meeting(**dict(r)) for r in rows], next_cursor

    def meetings_between(self, institution_id: str, start: datetime,
                         end: datetime) -> list[Meeting]:
        rows = self.session.execute(sa.select(meetings).where(
            meetings.c.institution_id == institution_id, meetings.c.starts_at >= start,
            meetings.c.starts_at < end).order_by(meetings.c.starts_at, meetings.c.id)).mappings()
        return [Meeting(**dict(r)) for r in rows]

    def requests_by_id(self, ids: Iterable[str]) -> dict[str, ServiceRequest]:
        rows = self.session.execute(sa.select(service_requests).where(
            service_requests.c.id.in_(set(ids)))).mappings()
        return {r["id"]: _request(r) for r in rows}

    # -- ratings ------------------------------------------------------------------------

    def add_rating(self, rating: Rating) -> None:
        self.session.execute(ratings.insert().values(**_row(ratings, rating)))

    def save_rating(self, rating: Rating) -> None:
        self.session.execute(ratings.update().where(ratings.c.id == rating.id)
                             .values(**_row(ratings, rating)))

    def rating(self, rating_id: str, lock: bool = False) -> Rating | None:
        row = self._one(sa.select(ratings).where(ratings.c.id == rating_id), lock)
        return Rating(**dict(row)) if row else None

    def rating_of(self, request_id: str) -> Rating | None:
        row = self._one(sa.select(ratings).where(ratings.c.request_id == request_id), False)
        return Rating(**dict(row)) if row else None

    def ratings_page(self, limit: int, cursor: str | None, *, institution_id: str | None = None,
                     service_id: str | None = None, status: str | None = None) -> Page:
        query = sa.select(ratings)
        if institution_id:
            query = query.where(ratings.c.institution_id == institution_id)
        if service_id:
            query = query.where(ratings.c.service_id == service_id)
        if status:
            query = query.where(ratings.c.status == status)
        rows, next_cursor = page(self.session, query, [ratings.c.created_at, ratings.c.id],
                                 limit, cursor)
        return [Rating(**dict(r)) for r in rows], next_cursor

    def rating_summary(self, service_id: str) -> tuple[float | None, int]:
        average, count = self.session.execute(
            sa.select(sa.func.avg(ratings.c.score), sa.func.count(ratings.c.id)).where(
                ratings.c.service_id == service_id, ratings.c.status == "approved")).one()
        return (float(average) if average is not None else None), int(count)

    # -- appointments -------------------------------------------------------------------

    def add_appointment(self, appointment: Appointment, provider_name: str | None) -> None:
        self.session.execute(appointments.insert().values(
            **_row(appointments, appointment), provider_name=provider_name))

    def save_appointment(self, appointment: Appointment) -> None:
        self.session.execute(appointments.update().where(appointments.c.id == appointment.id)
                             .values(**_row(appointments, appointment)))

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
            appointments.c.status == "booked", appointments.c.starts_at >= start,
            appointments.c.starts_at < end)
            .order_by(appointments.c.starts_at, appointments.c.id)).mappings()
        return [_appointment(r) for r in rows]

    # -- attachments held -----------------------------------------------------------------

    def hold_attachments(self, attachments: Iterable[dict], holder: str, holder_id: str) -> None:
        for attachment in attachments:
            insert_ignoring_duplicates(self.session, held_attachments,
                                       attachment_id=attachment["id"], holder=holder,
                                       holder_id=holder_id)

    def holders_of(self, attachment_id: str) -> list[tuple[str, str]]:
        rows = self.session.execute(sa.select(held_attachments.c.holder,
                                              held_attachments.c.holder_id)
                                    .where(held_attachments.c.attachment_id == attachment_id))
        return [(r.holder, r.holder_id) for r in rows]


def _service(row: Any) -> Service:
    return Service(id=row["id"], institution_id=row["institution_id"], name=row["name"],
                   description=row["description"], audience=row["audience"],
                   requirements=tuple(row["requirements"]),
                   steps=tuple(Step(s["id"], s["title"]) for s in row["steps"]),
                   form=tuple(FormField.from_dict(f) for f in row["form_fields"]),
                   created_at=row["created_at"], updated_at=row["updated_at"],
                   due_business_days=row["due_business_days"], status=row["status"],
                   published_at=row["published_at"])


def _request(row: Any) -> ServiceRequest:
    return ServiceRequest(**dict(row))


def _appointment(row: Any) -> Appointment:
    values = dict(row)
    values.pop("provider_name", None)
    return Appointment(**values)
