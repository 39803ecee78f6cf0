"""How long a submission keeps the sequence rows locked on PostgreSQL, and the ceiling that sets.

Gap-free numbering (``ponte.numbering``) bumps a sequence row with ``UPDATE ... RETURNING`` and
keeps it locked until the transaction ends, so submissions pass that point one at a time: the
sequence's throughput is at most 1000 / (hold ms). This script runs the real use case
(``services.authorizations.usecases.requests.create_request``: 3 items, authorized at once) on a
scratch PostgreSQL database migrated like the service's, and times in each transaction, from
SQLAlchemy's events, the moment the first ``UPDATE sequences`` has returned (the row is locked
from then on; waiting for it is not counted) until its ``COMMIT`` has returned (the commit's WAL
flush, fdatasync here, included), and the ``COMMIT`` alone; and the CPU each submission costs
this process (the use case, SQLAlchemy and psycopg2: the service's share, without its RPC).

It runs ``--threads`` submitting green threads in one process, as a service runs its workers
(1: the hold with nobody waiting; more: the hold when the row is contended and the rate the
sequence allows), without RabbitMQ, the gateway or the
other services: the Python work between the statements is included, the waiting for a core in a
busy service process is not (compare ``make scale``'s figures). Run: ``.venv/bin/python
bench/numbering_hold.py [--submissions 300] [--threads 1 4 16]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# green threads and a green psycopg2, as in a service process (``ponte.numbering.in_turn``
# queues green threads: OS threads would each wait in a hub of their own, for ever)
import ponte.green  # noqa: E402, F401, I001

import argparse  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Any  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench import load  # noqa: E402
from bench.authorizations import THREE_ITEMS  # noqa: E402
from ponte.db import Transaction, migrate  # noqa: E402
from ponte.later import carry_writes  # noqa: E402
from ponte.roles import PROVIDER  # noqa: E402
from ponte.service_layer import Context  # noqa: E402
from services.authorizations.repository import Repository  # noqa: E402
from services.authorizations.usecases import requests  # noqa: E402
from tests.e2e.test_authorizations import body  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class Holds:
    """Per thread (one transaction at a time each): when the open transaction's first sequence
    bump returned (the row is locked from then on; the wait for it is not counted) and when its
    COMMIT was sent; :meth:`committed` once the COMMIT returned."""

    def __init__(self, engine: sa.Engine) -> None:
        self.lock = threading.Lock()
        self.holds: list[float] = []
        self.commits: list[float] = []
        self._mine = threading.local()
        sa.event.listen(engine, "after_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *_):  # noqa: ANN001, ANN202
        if statement.lstrip().upper().startswith("UPDATE SEQUENCES") \
                and getattr(self._mine, "bumped", None) is None:
            self._mine.bumped = time.perf_counter()

    def _commit(self, conn):  # noqa: ANN001, ANN202
        self._mine.sent = time.perf_counter()

    def committed(self) -> None:
        done = time.perf_counter()
        bumped, sent = getattr(self._mine, "bumped", None), getattr(self._mine, "sent", None)
        self._mine.bumped = self._mine.sent = None
        with self.lock:
            if bumped is not None:
                self.holds.append(done - bumped)
            if sent is not None:
                self.commits.append(done - sent)


class ScratchDatabase:
    """The ``db`` a Context needs (``transaction``, ``read``), on one engine."""

    def __init__(self, engine: sa.Engine, holds: Holds) -> None:
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.holds = holds

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.sessions() as session:
            with session.begin():
                yield Transaction(session, "authorizations")
            self.holds.committed()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session


def rpc(service: str, method: str, *args: Any) -> Any:
    """identity's answers: the profile is complete, the author has a name."""
    return [] if method == "get_missing_profile" else [{"name": "Clínica Bench"}]


def submit_many(ctx: Context, count: int, threads: int) -> float:
    """``count`` submissions from ``threads`` threads; the seconds it took."""
    provider_id = str(uuid.uuid4())
    caller = {"account_id": str(uuid.uuid4()), "kind": PROVIDER, "roles": [],
              "provider_id": provider_id}
    data = {**body(items=THREE_ITEMS), "provider_id": provider_id}
    left = iter(range(count))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            requests.create_request(ctx, caller, data)
    started = time.perf_counter()
    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    name = f"ponte_hold_{os.getpid()}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", pool_size=20)
    carry_writes(engine)  # as every service's engine (ponte.db.create_engine_for)
    try:
        migrate("authorizations", engine)
        holds = Holds(engine)
        ctx = Context(ScratchDatabase(engine, holds), Repository, rpc=rpc,
                      settings={"operator_ans_code": "123456"})
        submit_many(ctx, 20, 1)  # warm-up: connections, statement caches
        print("| submitting threads | submissions/s | hold p50 | hold p99 | COMMIT p50 | "
              "COMMIT p99 | ceiling 1000 / hold p50 | CPU per submission |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for threads in args.threads:
            holds.holds.clear()
            holds.commits.clear()
            cpu = time.process_time()
            seconds = submit_many(ctx, args.submissions, threads)
            cpu = (time.process_time() - cpu) / args.submissions * 1000
            hold = [s * 1000 for s in holds.holds]
            commit = [s * 1000 for s in holds.commits]
            p50 = load.percentile(hold, 50)
            print(f"| {threads} | {args.submissions / seconds:.0f} | {p50:.2f} ms | "
                  f"{load.percentile(hold, 99):.2f} ms | {load.percentile(commit, 50):.2f} ms | "
                  f"{load.percentile(commit, 99):.2f} ms | {1000 / p50:.0f} /s | {cpu:.2f} ms |")
        with engine.connect() as conn:
            settings = {key: conn.execute(sa.text(f"SHOW {key}")).scalar()
                        for key in ("fsync", "synchronous_commit", "wal_sync_method")}
        print(f"PostgreSQL {settings}; machine: {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
