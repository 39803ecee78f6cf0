"""What every part of the repository shares: the session, and rows from domain objects."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

Page = tuple[list[Any], str | None]


def row_of(table: sa.Table, obj: Any, **extra: Any) -> dict[str, Any]:
    """The columns of ``table`` that ``obj`` has, plus ``extra``."""
    values = {c.name: getattr(obj, c.name) for c in table.columns if hasattr(obj, c.name)}
    return {**values, **extra}


class Part:
    """One aggregate's queries, on the unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _one(self, query: sa.Select, lock: bool) -> Any:
        return self.session.execute(query.with_for_update() if lock else query).mappings().first()

    def flush(self) -> None:
        self.session.flush()
