"""Service requests with their follow-ups, meetings and ratings."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ponte.contracts.attendance import APPROVED, OPEN_REQUEST_STATUSES
from ponte.later import write_later
from ponte.pagination import page
from services.attendance.domain.requests import FollowUp, Meeting, Rating, ServiceRequest
from services.attendance.models import follow_ups, meetings, ratings, service_requests
from services.attendance.repository.base import Page, Part, row_of

REQUEST_INSERT = service_requests.insert()


class Requests(Part):
    def add_request(self, request: ServiceRequest) -> None:
        """Sent with the next statement (the events' INSERT at the commit): ``ponte.later``."""
        write_later(self.session, REQUEST_INSERT, row_of(service_requests, request))

    def save_request(self, request: ServiceRequest) -> None:
        self.session.execute(service_requests.update()
                             .where(service_requests.c.id == request.id)
                             .values(**row_of(service_requests, request)))

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
                        service_requests.c.status.in_(OPEN_REQUEST_STATUSES))
                 .order_by(service_requests.c.due_at).limit(limit)
                 .with_for_update(skip_locked=True))
        return [_request(r) for r in self.session.execute(query).mappings()]

    def requests_by_id(self, ids: Iterable[str]) -> dict[str, ServiceRequest]:
        rows = self.session.execute(sa.select(service_requests).where(
            service_requests.c.id.in_(set(ids)))).mappings()
        return {r["id"]: _request(r) for r in rows}

    def add_follow_up(self, follow_up: FollowUp) -> None:
        self.session.execute(follow_ups.insert().values(**row_of(follow_ups, follow_up)))

    def follow_ups_page(self, request_id: str, limit: int, cursor: str | None) -> Page:
        rows, next_cursor = page(self.session, sa.select(follow_ups).where(
            follow_ups.c.request_id == request_id), [follow_ups.c.created_at, follow_ups.c.id],
            limit, cursor, descending=False)
        return [FollowUp(**dict(r)) for r in rows], next_cursor

    def add_meeting(self, meeting: Meeting) -> None:
        self.session.execute(meetings.insert().values(**row_of(meetings, meeting)))

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

    def add_rating(self, rating: Rating) -> None:
        self.session.execute(ratings.insert().values(**row_of(ratings, rating)))

    def save_rating(self, rating: Rating) -> None:
        self.session.execute(ratings.update().where(ratings.c.id == rating.id)
                             .values(**row_of(ratings, rating)))

    def rating(self, rating_id: str, lock: bool = False) -> Rating | None:
        row = self._one(sa.select(ratings).where(ratings.c.id == rating_id), lock)
        return Rating(**dict(row)) if row else None

    def rating_of(self, request_id: str) -> Rating | None:
        row = self._one(sa.select(ratings).where(ratings.c.request_id == request_id), False)
        return Rating(**dict(row)) if row else None

    def ratings_of(self, request_ids: Iterable[str]) -> dict[str, Rating]:
        """Request id → its rating, for the requests rated."""
        rows = self.session.execute(sa.select(ratings).where(
            ratings.c.request_id.in_(set(request_ids)))).mappings()
        return {r["request_id"]: Rating(**dict(r)) for r in rows}

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
                ratings.c.service_id == service_id, ratings.c.status == APPROVED)).one()
        return (float(average) if average is not None else None), int(count)


def _request(row: Any) -> ServiceRequest:
    return ServiceRequest(**dict(row))
