"""Idempotency-Key in a service's database: the first answer is replayed, another body is a 409,
and racing retries create one thing — on SQLite and on PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import eventlet
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from ponte import idempotency
from ponte.clock import now
from ponte.db import Transaction, create_engine_for
from ponte.errors import Conflict

things = sa.Table("things", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("name", sa.String(50)))


class Db:
    """What a worker's database offers run_once: ``transaction()`` and ``read()``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.sessions = sessionmaker(engine)
        self.reads = sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))

    @contextmanager
    def transaction(self):
        with self.sessions() as session, session.begin():
            yield Transaction(session, "test")

    @contextmanager
    def read(self):
        with self.reads() as session:
            yield session


def _db(engine: sa.Engine) -> Db:
    with engine.begin() as conn:
        idempotency.create_tables(conn)
        things.create(conn)
    return Db(engine)


def create(name: str, pause: float = 0.0):
    def work(tx: Transaction) -> dict:
        new_id = tx.session.execute(things.insert().values(name=name)).inserted_primary_key[0]
        eventlet.sleep(pause)
        return {"id": new_id, "name": name}
    return work


def key(fingerprint: str = "f1", account: str = "acc-1", value: str = "k-1") -> dict:
    return {"account_id": account, "key": value, "fingerprint": fingerprint}


def count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(things)).scalar()


@pytest.fixture
def sqlite_engine(tmp_path):
    return sa.create_engine(f"sqlite:///{tmp_path}/i.db")


def test_a_retry_returns_the_first_answer(sqlite_engine):
    db = _db(sqlite_engine)
    first = idempotency.run_once(db, key(), create("a"))
    again = idempotency.run_once(db, key(), create("a"))
    assert again == first and count(sqlite_engine) == 1


def test_the_same_key_with_another_body_is_a_conflict(sqlite_engine):
    db = _db(sqlite_engine)
    idempotency.run_once(db, key("f1"), create("a"))
    with pytest.raises(Conflict):
        idempotency.run_once(db, key("f2"), create("b"))
    assert count(sqlite_engine) == 1


def test_keys_belong_to_their_caller_and_no_key_means_no_memory(sqlite_engine):
    db = _db(sqlite_engine)
    idempotency.run_once(db, key(account="a"), create("x"))
    idempotency.run_once(db, key(account="b"), create("x"))
    idempotency.run_once(db, None, create("x"))
    idempotency.run_once(db, None, create("x"))
    assert count(sqlite_engine) == 4


def test_an_expired_key_is_forgotten(sqlite_engine):
    db = _db(sqlite_engine)
    idempotency.run_once(db, key(), create("a"))
    with sqlite_engine.begin() as conn:
        conn.execute(idempotency.idempotency_keys.update().values(
            created_at=now() - idempotency.RETENTION - timedelta(minutes=1)))
    idempotency.run_once(db, key("other body"), create("b"))
    assert count(sqlite_engine) == 2


def test_racing_retries_on_postgresql_create_once(postgres_databases):
    engine = create_engine_for("idempotency")
    db = _db(engine)
    pool = eventlet.GreenPool(8)
    answers = list(pool.imap(lambda _: idempotency.run_once(db, key(), create("a", 0.2)),
                             range(8)))
    assert count(engine) == 1
    assert all(answer == answers[0] for answer in answers)
    engine.dispose()
