"""Writes nobody reads an answer from, sent with the transaction's next statement: on PostgreSQL
in the same round trip (issue 21: a round trip costs ≈ 80 µs of CPU in the service, as much
again in PostgreSQL, and while a sequence row is locked every one of them makes the next
submission wait longer).

:func:`write_later` turns the statement and its values into SQL text with psycopg2's own
``mogrify`` (the quoting ``cursor.execute`` applies) and keeps it on the connection; the next
statement the transaction runs goes out as one query string, ``<writes>;<statement>``, whose
answer is the statement's (PostgreSQL answers every part of a simple query; psycopg2 keeps the
last), as ``psycopg2.extras.execute_batch`` joins its statements. A write that fails fails that
round trip, inside the transaction, which then rolls back whole. Writes still waiting at the
commit go out before it (``ponte.db``); a rollback forgets them. So, inside a transaction, a
later statement always sees them.

Only writes with nothing computed at execution qualify: Python-side column defaults, expanding
``IN`` parameters and ``RETURNING`` make :func:`write_later` execute the statement at once, as
it does on SQLite (one process, no round trips) and on any engine not given
:func:`carry_writes` (``ponte.db.create_engine_for`` gives it to every service's engine)."""
from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

# SQL text waiting, in order, per checked-out connection (a new one for each transaction: what
# a failed transaction left behind can never reach another)
_waiting: weakref.WeakKeyDictionary[sa.Connection, list[bytes]] = weakref.WeakKeyDictionary()
_CARRIER = "ponte.writes_later_on"  # the session's ``info`` key: the connection they wait on
_carrying: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines given :func:`carry_writes`
_compiled: weakref.WeakKeyDictionary[sa.Executable, dict[tuple[str, ...], Any]] = \
    weakref.WeakKeyDictionary()


def write_later(session: Session, statement: sa.Executable,
                values: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` with ``values`` (one row's, or a list: once for each, one multi-row
    ``INSERT`` for a plain insert) as part of the transaction's next round trip. Nothing is
    returned, so nothing may depend on its result; an error it raises surfaces in the
    statement it rides with."""
    connection = session.connection()
    rows = [values] if isinstance(values, Mapping) else list(values)
    if not rows:
        return
    if connection.engine not in _carrying:  # SQLite, or an engine not made to carry them
        session.execute(statement, rows if len(rows) > 1 else rows[0])
        return
    cursor = connection.connection.driver_connection.cursor()  # mogrify only: no round trip
    texts = []
    for row in rows:
        compiled = _compile(statement, connection.dialect, row)
        if compiled is None:
            session.execute(statement, rows if len(rows) > 1 else rows[0])
            return
        texts.append(_mogrify(cursor, compiled, row))
    if len(texts) > 1 and _plain_insert(statement):
        texts = [_values_joined(texts)]
    _waiting.setdefault(connection, []).extend(texts)
    session.info[_CARRIER] = connection


def _plain_insert(statement: sa.Executable) -> bool:
    """An ``INSERT … VALUES (…)`` with nothing after its values (no ``ON CONFLICT``)."""
    return isinstance(statement, sa.Insert) and not getattr(statement, "_post_values_clause",
                                                            None)


def _values_joined(texts: list[bytes]) -> bytes:
    """Single-row INSERTs of one table as one ``INSERT … VALUES (…), (…)`` (their columns may
    differ: then each keeps its own statement)."""
    heads = {text.partition(b" VALUES ")[0] for text in texts}
    if len(heads) > 1:
        return b";".join(texts)
    return heads.pop() + b" VALUES " + b", ".join(text.partition(b" VALUES ")[2]
                                                  for text in texts)


def waiting(connection: sa.Connection) -> list[bytes]:
    """The writes that will ride with ``connection``'s next statement."""
    return list(_waiting.get(connection, ()))


def send_waiting(session: Session) -> None:
    """The writes still waiting, now (before a commit): the last one carries the others."""
    connection = session.info.pop(_CARRIER, None)
    texts = _waiting.get(connection) if connection is not None else None
    if texts:
        last = texts.pop()
        connection.exec_driver_sql(last.decode(), execution_options={"no_parameters": True})


def forget(session: Session) -> None:
    """The session's transaction ended: its connection no longer carries its writes (a
    rollback dropped them; a commit sent them)."""
    session.info.pop(_CARRIER, None)


def carry_writes(engine: Engine) -> None:
    """Make ``engine``'s statements carry the writes waiting on their connection (PostgreSQL
    with psycopg2); on any other engine :func:`write_later` writes at once."""
    if engine.dialect.name != "postgresql" or engine in _carrying:
        return
    _carrying.add(engine)

    @sa.event.listens_for(engine, "do_execute")
    def _execute(cursor, statement, parameters, context) -> bool:  # noqa: ANN001
        texts = _taken(context.root_connection)
        if not texts:
            return False
        cursor.execute(b";".join([*texts, cursor.mogrify(statement, parameters)]))
        return True

    @sa.event.listens_for(engine, "do_execute_no_params")
    def _execute_alone(cursor, statement, context) -> bool:  # noqa: ANN001
        texts = _taken(context.root_connection)
        if not texts:
            return False
        cursor.execute(b";".join([*texts, statement.encode()]))
        return True

    @sa.event.listens_for(engine, "do_executemany")
    def _execute_many(cursor, statement, parameters, context) -> bool:  # noqa: ANN001
        texts = _taken(context.root_connection)
        if texts:  # an executemany sends its statement per row: the writes go just before
            cursor.execute(b";".join(texts))
        return False

    @sa.event.listens_for(engine, "rollback")
    def _forget(connection: sa.Connection) -> None:
        _taken(connection)

    @sa.event.listens_for(engine, "commit")
    def _check(connection: sa.Connection) -> None:
        if _taken(connection):
            raise RuntimeError("writes left waiting at a commit (ponte.later.send_waiting)")


def _taken(connection: sa.Connection) -> list[bytes] | None:
    """The writes waiting on ``connection``, taken off it."""
    return _waiting.pop(connection, None)


def _compile(statement: sa.Executable, dialect: sa.Dialect, row: Mapping[str, Any]) -> Any:
    """The statement compiled for these columns (kept), or None when it needs its execution
    (column defaults computed in Python, expanding parameters, RETURNING)."""
    kept = _compiled.setdefault(statement, {})
    keys = tuple(sorted(row))
    if keys not in kept:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        needs_execution = (compiled.insert_prefetch or compiled.update_prefetch
                           or compiled.literal_execute_params or compiled.post_compile_params
                           or compiled.effective_returning)
        kept[keys] = None if needs_execution else compiled
    return kept[keys]


def _mogrify(cursor: Any, compiled: Any, row: Mapping[str, Any]) -> bytes:
    """The statement's SQL with ``row``'s values, as psycopg2 would send it."""
    values = compiled.construct_params(row, escape_names=False)  # as SQLAlchemy's execution
    processors = compiled._bind_processors
    names = compiled.escaped_bind_names
    given = {names.get(key, key): processors[key](value) if key in processors else value
             for key, value in values.items()}
    return cursor.mogrify(compiled.string, given)
