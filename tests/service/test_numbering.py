"""Named sequences on real databases: several processes taking numbers at once, some of their
transactions rolling back, leave exactly 1..N committed — no number twice, none skipped."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import eventlet
import pytest
import sqlalchemy as sa

from ponte import numbering
from ponte.db import create_engine_for

WORKER = textwrap.dedent("""
    import random, sys
    import sqlalchemy as sa
    from ponte import numbering
    url, rounds, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    random.seed(seed)
    engine = sa.create_engine(url, connect_args={"timeout": 60} if url.startswith("sqlite") else {})
    taken = sa.table("taken", sa.column("number"), sa.column("scope"))
    class Abandon(Exception):
        pass
    for i in range(rounds):
        scope = "20261201" if i % 2 else "20261202"
        try:
            with engine.begin() as conn:
                number = numbering.next_number(conn, "protocol", scope)
                conn.execute(taken.insert().values(number=number, scope=scope))
                if random.random() < 0.2:
                    raise Abandon()
        except Abandon:
            pass
""")


def _prepare(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        numbering.create_tables(conn)
        conn.execute(sa.text("CREATE TABLE taken (number INTEGER NOT NULL, scope TEXT)"))


def _race(url: str, processes: int = 4, rounds: int = 40) -> None:
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(rounds), str(seed)])
               for seed in range(processes)]
    assert [w.wait(timeout=120) for w in workers] == [0] * processes


def _check(engine: sa.Engine) -> dict[str, int]:
    counts = {}
    with engine.connect() as conn:
        for scope in ("20261201", "20261202"):
            numbers = conn.execute(sa.text("SELECT number FROM taken WHERE scope = :s "
                                           "ORDER BY number"), {"s": scope}).scalars().all()
            assert numbers == list(range(1, len(numbers) + 1)), f"gaps or repeats in {scope}"
            assert numbering.current(conn, "protocol", scope) == len(numbers)
            counts[scope] = len(numbers)
    print(f"committed numbers per day: {counts}")
    return counts


def test_racing_processes_take_gap_free_numbers_on_postgresql(postgres_databases):
    engine = create_engine_for("numbering")
    _prepare(engine)
    _race(engine.url.render_as_string(hide_password=False))
    counts = _check(engine)
    assert sum(counts.values()) > 80  # most of the 160 transactions committed
    engine.dispose()


def test_racing_processes_take_gap_free_numbers_on_sqlite(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/numbering.db")
    _prepare(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    _race(str(engine.url), processes=3, rounds=20)
    _check(engine)


def test_scopes_and_names_count_separately(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/n.db")
    with engine.begin() as conn:
        numbering.create_tables(conn)
        assert [numbering.next_number(conn, "a") for _ in range(3)] == [1, 2, 3]
        assert numbering.next_number(conn, "a", "x") == 1
        assert numbering.next_number(conn, "b") == 1
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert numbering.next_number(conn, "a") == 4
        raise RuntimeError("roll back")
    with engine.begin() as conn:
        assert numbering.next_number(conn, "a") == 4  # the rolled-back 4 was not lost


def test_transactions_take_their_turn_first_come_first_served_a_few_at_once(monkeypatch):
    """``in_turn``: at most ``AT_ONCE`` at a time per sequence, entering in the order they
    came, whatever the order they leave in; another sequence does not wait (issue 21)."""
    monkeypatch.setattr(numbering, "AT_ONCE", 2)
    monkeypatch.setattr(numbering, "_turns", {})
    entered, inside, most = [], [0], [0]

    def submission(n: int, seconds: float) -> None:
        with numbering.in_turn("authorization_request"):
            entered.append(n)
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            eventlet.sleep(seconds)
            inside[0] -= 1

    pool = eventlet.GreenPool()
    for n in range(8):
        pool.spawn(submission, n, 0.02 * (8 - n))
        eventlet.sleep(0)  # they arrive in order
    with numbering.in_turn("service_request_protocol"):
        assert entered == [0, 1]  # the other sequence entered at once
    pool.waitall()
    assert entered == list(range(8)) and most[0] == 2
