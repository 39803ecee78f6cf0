"""SQL helpers below every database layer (``ponte.db``, ``ponte.messaging``)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(connection: Session | sa.Connection, table: sa.Table,
                               **values: Any) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite; the number of rows
    inserted (0 when the row was already there, or a concurrent transaction inserted it)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return connection.execute(insert(table).values(**values).on_conflict_do_nothing()).rowcount
