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
commit go out with it, in its round trip; a rollback forgets them. So, inside a transaction, a
later statement always sees them.

The transaction's own ``BEGIN`` waits the same way (:func:`carry_writes`): psycopg2 sends it as a
round trip of its own before a transaction's first statement, so the connection is left in
psycopg2's autocommit mode and ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` are sent here, ``BEGIN``
with the first statement and ``COMMIT`` with the writes still waiting: a transaction that reads
once and commits is two round trips instead of three.

Only writes with nothing computed at execution qualify: Python-side column defaults, expanding
``IN`` parameters and ``RETURNING`` make :func:`write_later` execute the statement at once, as
it does on SQLite (one process, no round trips) and on any engine not given
:func:`carry_writes` (``ponte.db.create_engine_for`` gives it to every service's engine)."""
from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from psycopg2.extensions import STATUS_READY, TRANSACTION_STATUS_IDLE
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

# SQL text waiting, in order, per checked-out connection (a new one for each transaction: what
# a failed transaction left behind can never reach another)
_waiting: weakref.WeakKeyDictionary[sa.Connection, list[bytes]] = weakref.WeakKeyDictionary()
_BEGIN = b"BEGIN"  # first in a transaction's waiting texts until its first round trip
_committing: dict[int, list[bytes]] = {}  # id(pooled connection) → texts its COMMIT carries
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
    """The writes that will ride with ``connection``'s next statement (not its ``BEGIN``)."""
    return [text for text in _waiting.get(connection, ()) if text is not _BEGIN]


def carry_writes(engine: Engine) -> None:
    """Make ``engine``'s statements carry the writes waiting on their connection, and its
    transactions' ``BEGIN`` and ``COMMIT`` ride with their first statement and with the writes
    still waiting (PostgreSQL with psycopg2); on any other engine :func:`write_later` writes at
    once."""
    if engine.dialect.name != "postgresql" or engine in _carrying:
        return
    _carrying.add(engine)
    dialect = engine.dialect

    @sa.event.listens_for(engine, "connect")
    def _autocommit(dbapi_connection, _record) -> None:  # noqa: ANN001
        """psycopg2 sends no BEGIN of its own, nor commits or rolls back (see below)."""
        if dbapi_connection.status != STATUS_READY:
            dbapi_connection.rollback()  # what connecting read, in psycopg2's own transaction
        dbapi_connection.autocommit = True

    @sa.event.listens_for(engine, "checkout")
    def _still_autocommit(dbapi_connection, _record, _proxy) -> None:  # noqa: ANN001
        """SQLAlchemy resets a connection given another isolation level (``AUTOCOMMIT`` for
        reading) to the default on its return, which turns psycopg2's autocommit off."""
        if not dbapi_connection.autocommit:
            dbapi_connection.autocommit = True

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            _waiting[connection] = [_BEGIN]

    # The dialect's own methods, for this engine only (its dialect is its own instance): the
    # pool's reset on return and SQLAlchemy's commit and rollback all come through them, and
    # SQLAlchemy wraps what they raise as it wraps any statement's error.
    def do_commit(dbapi_connection) -> None:  # noqa: ANN001
        texts = _committing.pop(id(dbapi_connection), None)
        if not dbapi_connection.autocommit:  # psycopg2's own transaction (while connecting)
            if writes := [text for text in texts or () if text is not _BEGIN]:
                _send(dbapi_connection, b";".join(writes))
            dbapi_connection.commit()
            return
        if texts == [_BEGIN]:
            return  # nothing was sent: nothing to commit
        if not texts and dbapi_connection.get_transaction_status() == TRANSACTION_STATUS_IDLE:
            return
        _send(dbapi_connection, b";".join([*(texts or ()), b"COMMIT"]))

    def do_rollback(dbapi_connection) -> None:  # noqa: ANN001
        _committing.pop(id(dbapi_connection), None)
        if not dbapi_connection.autocommit:  # psycopg2's own transaction (while connecting)
            dbapi_connection.rollback()
            return
        if dbapi_connection.get_transaction_status() != TRANSACTION_STATUS_IDLE:
            _send(dbapi_connection, b"ROLLBACK")

    dialect.do_commit = do_commit
    dialect.do_rollback = do_rollback

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
    def _commit(connection: sa.Connection) -> None:
        texts = _taken(connection)
        if texts:  # sent by do_commit, with the COMMIT
            _committing[id(connection.connection)] = texts


def _send(dbapi_connection, text: bytes) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(text)
    finally:
        cursor.close()


def _taken(connection: sa.Connection) -> list[bytes] | None:
    """The writes waiting on ``connection``, taken off it."""
    return _waiting.pop(connection, None)


def _compile(statement: sa.Executable, dialect: sa.Dialect, row: Mapping[str, Any]) -> Any:
    """The statement compiled for these columns (kept), or None when it needs its execution
    (column defaults computed in Python, expanding parameters, RETURNING). An INSERT is compiled
    ``inline``: a key the database generates (a serial) is not returned, nobody reads it."""
    kept = _compiled.setdefault(statement, {})
    keys = tuple(sorted(row))
    if keys not in kept:
        inline = statement.inline() if isinstance(statement, sa.Insert) else statement
        compiled = inline.compile(dialect=dialect, column_keys=list(keys))
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
