"""Named sequences: gap-free numbers for requests and protocols.

A number is taken inside the caller's transaction with one ``UPDATE ... RETURNING`` that locks the
sequence's row until that transaction ends. If the transaction rolls back, so does the number, so
numbers are never skipped; concurrent callers (threads or processes) queue on the row lock, so
none is ever given twice. Each ``(name, scope)`` counts from 1: a scope such as ``20261201``
gives a sequence per day (protocols: ANS code + YYYYMMDD + 6 digits, 001).

The row lock serialises the callers of one sequence for the length of their transactions: take
the number as late as possible in the transaction, and run the transaction :func:`in_turn`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from eventlet.semaphore import Semaphore
from sqlalchemy.orm import Session

from ponte.sql import insert_ignoring_duplicates

metadata = sa.MetaData()

sequences = sa.Table(
    "sequences", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("scope", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)


AT_ONCE = 4
"""How many transactions of one process that take a sequence's number run at once (issue 21)."""
_turns: dict[str, Semaphore] = {}


@contextmanager
def in_turn(sequence: str) -> Iterator[None]:
    """Wait, first come first served, until fewer than :data:`AT_ONCE` transactions of this
    process that take ``sequence``'s number are running; for the whole of the caller's.

    PostgreSQL's queue on a locked row is not first come first served: under load a submission
    could wait 0.5–0.9 s for the sequence's row while later ones took it (``make bench``: p99
    of 570–670 ms at a p50 of 140 ms). Queued here instead, in order, a process keeps at most
    a few transactions at the row, and the wait is fair; throughput is the same
    (docs/numbering.md)."""
    turn = _turns.get(sequence)
    if turn is None:
        turn = _turns[sequence] = Semaphore(AT_ONCE)
    with turn:
        yield


def create_tables(connection: sa.Connection) -> None:
    """Called from a service's migration."""
    metadata.create_all(connection)


BUMP = (sequences.update()
        .where(sequences.c.name == sa.bindparam("sequence"),
               sequences.c.scope == sa.bindparam("sequence_scope"))
        .values(value=sequences.c.value + 1)
        .returning(sequences.c.value))


def next_number(session: Session | sa.Connection, name: str, scope: str = "") -> int:
    """The next number of ``(name, scope)``: 1, 2, 3 ... without gaps or repeats."""
    which = {"sequence": name, "sequence_scope": scope}
    value = session.execute(BUMP, which).scalar()
    if value is not None:
        return int(value)
    # First use: a concurrent first caller may insert the row at the same moment; the loser's
    # insert does nothing (after waiting for the winner on PostgreSQL) and it bumps instead.
    if insert_ignoring_duplicates(session, sequences, name=name, scope=scope, value=1):
        return 1
    return int(session.execute(BUMP, which).scalar_one())


def current(session: Session | sa.Connection, name: str, scope: str = "") -> int:
    """The last number given (0 before the first)."""
    value = session.execute(sa.select(sequences.c.value).where(
        sequences.c.name == name, sequences.c.scope == scope)).scalar()
    return int(value or 0)
