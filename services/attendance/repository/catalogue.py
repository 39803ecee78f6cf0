"""The service catalogue."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ponte.contracts.attendance import PUBLISHED
from ponte.pagination import page
from services.attendance.domain.catalogue import Institution, Service, Step, search_key
from services.attendance.domain.forms import FormField
from services.attendance.models import institutions, services
from services.attendance.repository.base import Page, Part, row_of

_SERVICE = sa.select(services).where(services.c.id == sa.bindparam("service"))
SERVICE = {False: _SERVICE, True: _SERVICE.with_for_update()}
"""A service by id, read or locked: built once (ponte.sql)."""
OFFERED = sa.select(services, *[column.label(f"institution__{column.name}")
                                 for column in institutions.c]) \
    .join(institutions, institutions.c.id == services.c.institution_id) \
    .where(services.c.id == sa.bindparam("service"))
"""A service and the institution offering it, in one statement (read on every submission)."""
INSTITUTION_PREFIX = "institution__"


class Catalogue(Part):
    @staticmethod
    def _service_values(service: Service) -> dict[str, Any]:
        return {**row_of(services, service), "requirements": list(service.requirements),
                "steps": [{"id": s.id, "title": s.title} for s in service.steps],
                "form_fields": [f.as_dict() for f in service.form]}

    def add_service(self, service: Service) -> None:
        self.session.execute(services.insert().values(**self._service_values(service)))

    def save_service(self, service: Service) -> None:
        self.session.execute(services.update().where(services.c.id == service.id)
                             .values(**self._service_values(service)))

    def service(self, service_id: str, lock: bool = False) -> Service | None:
        row = self.session.execute(SERVICE[lock], {"service": service_id}).mappings().first()
        return _service(row) if row else None

    def offered(self, service_id: str) -> tuple[Service, Institution] | None:
        """The service and the institution that offers it (one round trip)."""
        row = self.session.execute(OFFERED, {"service": service_id}).mappings().first()
        if row is None:
            return None
        institution = {key.removeprefix(INSTITUTION_PREFIX): value for key, value in row.items()
                       if key.startswith(INSTITUTION_PREFIX)}
        return _service(row), Institution(**institution)

    def services_by_id(self, ids: Iterable[str]) -> dict[str, Service]:
        rows = self.session.execute(sa.select(services).where(
            services.c.id.in_(set(ids)))).mappings()
        return {r["id"]: _service(r) for r in rows}

    def services_page(self, limit: int, cursor: str | None, *, q: str | None = None,
                      institution_id: str | None = None,
                      statuses: tuple[str, ...] = (PUBLISHED,)) -> Page:
        query = sa.select(services).where(services.c.status.in_(statuses))
        if institution_id:
            query = query.where(services.c.institution_id == institution_id)
        if q:
            words = search_key(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(services.c.search_text.like(f"%{words}%", escape="\\"))
        rows, next_cursor = page(self.session, query, [services.c.name, services.c.id], limit,
                                 cursor, descending=False)
        return [_service(r) for r in rows], next_cursor


def _service(row: Any) -> Service:
    return Service(id=row["id"], institution_id=row["institution_id"], name=row["name"],
                   description=row["description"], audience=row["audience"],
                   requirements=tuple(row["requirements"]),
                   steps=tuple(Step(s["id"], s["title"]) for s in row["steps"]),
                   form=tuple(FormField.from_dict(f) for f in row["form_fields"]),
                   created_at=row["created_at"], updated_at=row["updated_at"],
                   due_business_days=row["due_business_days"], status=row["status"],
                   published_at=row["published_at"])
