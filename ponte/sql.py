"""SQL helpers below every database layer (``ponte.db``, ``ponte.messaging``).

Statements on hot paths are built once, with named parameters, and executed with their values
(``session.execute(STATEMENT, {...})``): SQLAlchemy then finds the compiled SQL by a cache key it
has kept with the statement, where a statement built per call (``select(...).where(c == value)``,
``insert().values(**row)``) has its key computed again at every execution — about 100 µs of
CPU per statement here, as much as the round trip itself (issue 21)."""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(connection: Session | sa.Connection, table: sa.Table,
                               **values: Any) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite; the number of rows
    inserted (0 when the row was already there, or a concurrent transaction inserted it)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    return connection.execute(_ignoring(bind.dialect.name, table), values).rowcount


def insert_new_rows(connection: Session | sa.Connection, table: sa.Table,
                    rows: list[dict[str, Any]], key: sa.Column) -> set[Any]:
    """:func:`insert_ignoring_duplicates` of many rows in one statement (SQLAlchemy's
    "insertmanyvalues"); the ``key`` values of the rows inserted."""
    if not rows:
        return set()
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    return set(connection.execute(_ignoring(bind.dialect.name, table, key), rows).scalars())


@functools.cache
def _ignoring(dialect: str, table: sa.Table, returning: sa.Column | None = None) -> sa.Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing()
    return statement if returning is None else statement.returning(returning)
