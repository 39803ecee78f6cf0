"""``ponte.later``: a write that waits rides with the transaction's next statement, in one round
trip on PostgreSQL, and is seen, committed and rolled back as if it had run where it was
asked for (issue 21)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from ponte import later, messaging
from ponte.db import UTCDateTime, WorkerDatabase, create_engine_for
from ponte.messaging import handlers

metadata = sa.MetaData()
notes = sa.Table("later_notes", metadata,
                 sa.Column("id", sa.String, primary_key=True),
                 sa.Column("text", sa.String, nullable=False),
                 sa.Column("extra", sa.JSON),
                 sa.Column("at", UTCDateTime()),
                 sa.Column("n", sa.Integer, nullable=False, server_default="0"))
stamped = sa.Table("later_stamped", metadata,
                   sa.Column("id", sa.String, primary_key=True),
                   sa.Column("made", sa.String, default=lambda: "by python"))
ADD = notes.insert()
RENAME = notes.update().where(notes.c.id == sa.bindparam("note")).values(
    text=sa.bindparam("text"))
STAMP = stamped.insert()
AWKWARD = "it's 50% -- ; DROP TABLE x; \\ \" ção"


@pytest.fixture(params=["postgresql", "sqlite"])
def sessions(request, postgres_databases, tmp_path):
    if request.param == "postgresql":
        engine = create_engine_for("later")
    else:
        engine = sa.create_engine(f"sqlite:///{tmp_path}/later.db")
    metadata.create_all(engine)
    round_trips: list[str] = []
    sa.event.listen(engine, "after_cursor_execute",
                    lambda conn, cursor, statement, *_: round_trips.append(
                        cursor.query.decode() if hasattr(cursor, "query") else statement))
    yield sessionmaker(engine), round_trips
    engine.dispose()


def note(text: str = AWKWARD, **more) -> dict:
    return {"id": str(uuid.uuid4()), "text": text, "extra": {"a": [1, "x%"]},
            "at": datetime(2026, 12, 7, 22, 0, tzinfo=UTC), **more}


def test_waiting_writes_ride_with_the_next_statement_and_are_seen_by_it(sessions):
    make, round_trips = sessions
    first, second = note(), note("outro")
    with make() as session, session.begin():
        later.write_later(session, ADD, [first, second])
        later.write_later(session, RENAME, {"note": second["id"], "text": "renomeado"})
        rows = session.execute(sa.select(notes.c.text, notes.c.extra, notes.c.at, notes.c.n)
                               .order_by(notes.c.text)).all()
    assert rows == [(AWKWARD, {"a": [1, "x%"]}, first["at"], 0),
                    ("renomeado", {"a": [1, "x%"]}, second["at"], 0)]
    if make.kw["bind"].dialect.name == "postgresql":
        carried = [q for q in round_trips if "later_notes" in q]
        assert len(carried) == 1  # the rows, an update and the select: one round trip
        assert carried[0].count("INSERT INTO later_notes") == 1  # one statement, two rows
        assert "UPDATE" in carried[0]


def test_writes_still_waiting_at_the_commit_are_committed(sessions):
    make, round_trips = sessions
    row = note()
    with make() as session, session.begin():
        later.write_later(session, ADD, row)
    with make() as session:
        assert session.execute(sa.select(notes.c.text).where(notes.c.id == row["id"])
                               ).scalar_one() == AWKWARD


def test_a_rollback_forgets_them_and_the_next_transaction_does_not_carry_them(sessions):
    make, _ = sessions
    dropped, kept = note("dropped"), note("kept")
    with pytest.raises(RuntimeError), make() as session, session.begin():
        later.write_later(session, ADD, dropped)
        raise RuntimeError("roll back")
    with make() as session, session.begin():
        later.write_later(session, ADD, kept)
    with make() as session:
        assert session.execute(sa.select(notes.c.text)).scalars().all() == ["kept"]


def test_a_failing_write_fails_the_statement_it_rides_with_and_nothing_stays(sessions):
    make, _ = sessions
    row = note("first")
    with make() as session, session.begin():
        session.execute(ADD, row)
    with pytest.raises(sa.exc.IntegrityError), make() as session, session.begin():
        later.write_later(session, ADD, note("second"))
        later.write_later(session, ADD, {**note("again"), "id": row["id"]})
        session.execute(sa.select(notes.c.id)).all()
    with make() as session:
        assert session.execute(sa.select(notes.c.text)).scalars().all() == ["first"]


def test_a_write_with_a_python_default_runs_at_once(sessions):
    make, _ = sessions
    with make() as session, session.begin():
        later.write_later(session, STAMP, {"id": "s"})
        assert not later.waiting(session.connection())
    with make() as session:
        assert session.execute(sa.select(stamped.c.made)).scalar_one() == "by python"


def test_an_event_s_mark_rides_with_the_commit_and_refuses_a_twin(sessions, ends):
    """An event handler's transaction sends its processed mark with the commit's round trip
    (``ponte.db.WorkerDatabase``); a second delivery of the event fails on it at the commit,
    as :class:`~ponte.messaging.DuplicateDelivery`, and keeps nothing it wrote."""
    make, round_trips = sessions
    engine = make.kw["bind"]
    with engine.begin() as conn:
        messaging.create_tables(conn)
    event = messaging.Event(str(uuid.uuid4()), "rung", "till", "2026-12-07T22:00:00Z", {})
    handler = handlers.ReliableEventHandler("till", "rung", subscription="till_rung")
    provider = SimpleNamespace(sessions=make, service="books",
                               relay=SimpleNamespace(wake=lambda: None))

    def run(text: str) -> None:
        worker = SimpleNamespace(entrypoint=handler, args=(event,))
        with WorkerDatabase(provider, worker).transaction() as tx:
            later.write_later(tx.session, ADD, note(text))
            tx.publish("noted", {"text": text})

    del round_trips[:], ends[:]
    run("first")
    if engine.dialect.name == "postgresql":  # BEGIN, the note, the mark, the event (its serial
        # key not returned) and COMMIT: one round trip
        assert round_trips == []
        assert [(q.split(";")[0], q.count("INSERT INTO"), q.split(";")[-1]) for q in ends] == [
            ("BEGIN", 3, "COMMIT")]
    with pytest.raises(messaging.DuplicateDelivery):
        run("twin")
    with make() as session:
        assert session.execute(sa.select(notes.c.text)).scalars().all() == ["first"]
        assert session.execute(sa.select(sa.func.count()).select_from(messaging.outbox)
                               ).scalar_one() == 1


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
def test_a_connection_lost_with_writes_waiting_fails_as_lost_and_leaves_none_behind(
        sessions):
    """The database ends the connection while a write waits: the transaction fails as an
    unreachable database does (not as a rollback that cannot be made), and the pool's next
    connection carries nothing of it (found by the faults-under-load test)."""
    make, _ = sessions
    engine = make.kw["bind"]
    with pytest.raises(sa.exc.OperationalError), make() as session, session.begin():
        later.write_later(session, ADD, note("lost"))
        pid = session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        later.write_later(session, ADD, note("lost too"))
        with engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        session.execute(sa.text("SELECT 1"))
    for _ in range(3):  # whichever pooled connection comes next
        with make() as session, session.begin():
            later.write_later(session, ADD, note("kept"))
    with make() as session:
        assert session.execute(sa.select(notes.c.text)).scalars().all() == ["kept"] * 3



def test_an_engine_not_made_to_carry_writes_runs_them_at_once(postgres_databases):
    made = create_engine_for("later")  # creates the database
    engine = sa.create_engine(made.url)
    made.dispose()
    metadata.create_all(engine)
    make = sessionmaker(engine)
    with make() as session, session.begin():
        later.write_later(session, ADD, [note("one"), note("two")])
        assert not later.waiting(session.connection())
    with make() as session:
        assert sorted(session.execute(sa.select(notes.c.text)).scalars()) == ["one", "two"]
    engine.dispose()


@pytest.fixture
def ends(monkeypatch) -> list[str]:
    """What ``ponte.later`` sends to end transactions (COMMIT, with the writes still waiting;
    ROLLBACK), in order."""
    sent: list[str] = []
    send = later._send

    def recorded(dbapi_connection, text: bytes) -> None:  # noqa: ANN001
        sent.append(text.decode())
        send(dbapi_connection, text)
    monkeypatch.setattr(later, "_send", recorded)
    return sent


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
def test_begin_rides_with_the_first_statement_and_commit_with_the_writes_waiting(
        sessions, ends):
    """psycopg2 would send BEGIN as a round trip of its own: a transaction that reads, writes
    later and commits is two round trips."""
    make, round_trips = sessions
    row = note("x")
    del round_trips[:]
    with make() as session, session.begin():
        session.execute(sa.select(notes.c.id)).all()
        later.write_later(session, ADD, row)
        assert session.connection().connection.dbapi_connection.autocommit
    assert len(round_trips) == 1 and round_trips[0].startswith("BEGIN;SELECT later_notes.id")
    assert len(ends) == 1
    assert ends[0].startswith("INSERT INTO later_notes") and ends[0].endswith(";COMMIT")
    with make() as session:
        assert session.execute(sa.select(notes.c.text)).scalars().all() == ["x"]


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
def test_a_transaction_that_sent_nothing_ends_with_nothing_and_a_rollback_is_sent(
        sessions, ends):
    make, round_trips = sessions
    with make() as session, session.begin():
        session.connection()
    assert ends == [] and round_trips == []
    with pytest.raises(RuntimeError), make() as session, session.begin():
        later.write_later(session, ADD, note("dropped"))
        session.execute(sa.select(notes.c.id)).all()
        raise RuntimeError("roll back")
    assert ends == ["ROLLBACK"]
    with make() as session, session.begin():
        assert session.execute(sa.select(notes.c.id)).all() == []
    assert ends == ["ROLLBACK", "COMMIT"]


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
def test_a_connection_read_in_autocommit_sends_no_begin_and_then_commits_as_any(sessions):
    """SQLAlchemy turns psycopg2's autocommit off when it resets a connection given another
    isolation level; the next transaction on it still sends its writes with its COMMIT (found
    by tests/service/test_idempotency.py: the keys were never written)."""
    make, round_trips = sessions
    engine = make.kw["bind"]
    engine.dispose()  # one pooled connection from here on
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.select(notes.c.id)).all()
    assert not round_trips[-1].startswith("BEGIN")
    for text in ("one", "two"):
        with make() as session, session.begin():
            later.write_later(session, ADD, note(text))
            assert session.connection().connection.dbapi_connection.autocommit
    with make() as session:
        assert sorted(session.execute(sa.select(notes.c.text)).scalars()) == ["one", "two"]
