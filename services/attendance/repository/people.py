"""The names of accounts that acted here, copied from identity."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ponte.db import insert_ignoring_duplicates
from services.attendance.models import people
from services.attendance.repository.base import Part

# read on every submission: built once (ponte.sql)
PERSON = sa.select(people.c.id, people.c.kind, people.c.name, people.c.email).where(
    people.c.id == sa.bindparam("person"))
STORED = sa.select(people.c.kind, people.c.name, people.c.email).where(
    people.c.id == sa.bindparam("person"))
NAMES = sa.select(people.c.id, people.c.name).where(
    people.c.id.in_(sa.bindparam("people", expanding=True)))


class People(Part):
    def person(self, account_id: str) -> dict[str, Any] | None:
        """The copy kept here of an account that acted here (``id``, ``kind``, ``name``,
        ``email``), or None."""
        row = self.session.execute(PERSON, {"person": account_id}).mappings().first()
        return dict(row) if row else None

    def save_person(self, account: dict[str, Any], now: datetime) -> None:
        """As identity has them now. A row that has not changed is only read: writing it would
        lock it until the commit, and the same person's concurrent requests would queue."""
        values = {"kind": account["kind"], "name": account["name"],
                  "email": account.get("email")}
        stored = self.session.execute(STORED, {"person": account["id"]}).mappings().first()
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
        rows = self.session.execute(NAMES, {"people": sorted(wanted)})
        return {row.id: row.name for row in rows}
