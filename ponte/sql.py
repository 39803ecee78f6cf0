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


class _PostgresNothing(postgresql.dml.OnConflictDoNothing):
    """A bare ``ON CONFLICT DO NOTHING``: nothing in it but its class, which is its cache key."""

    inherit_cache = True
    _traverse_internals = ()


class _PostgresInsertIgnoring(postgresql.Insert):
    """``INSERT … ON CONFLICT DO NOTHING`` that SQLAlchemy's compiled cache keeps.

    The dialects' ``Insert`` and ``ON CONFLICT`` clauses opt out of the cache (``inherit_cache
    = False``), so every execution compiled the statement again (the inbox's items: 5 % of
    notifications' CPU per event, issue 21). Here the clause is always the bare one, so its
    class keys it; the table, columns and ``RETURNING`` are keyed as usual."""

    inherit_cache = True

    def __init__(self, table: sa.Table) -> None:
        super().__init__(table)
        self._post_values_clause = _PostgresNothing()


class _SqliteNothing(sqlite.dml.OnConflictDoNothing):
    """:class:`_PostgresNothing` for SQLite."""

    inherit_cache = True
    _traverse_internals = ()


class _SqliteInsertIgnoring(sqlite.Insert):
    """:class:`_PostgresInsertIgnoring` for SQLite."""

    inherit_cache = True

    def __init__(self, table: sa.Table) -> None:
        super().__init__(table)
        self._post_values_clause = _SqliteNothing()


@functools.cache
def _ignoring(dialect: str, table: sa.Table, returning: sa.Column | None = None) -> sa.Insert:
    insert = _PostgresInsertIgnoring if dialect == "postgresql" else _SqliteInsertIgnoring
    statement = insert(table)
    return statement if returning is None else statement.returning(returning)
