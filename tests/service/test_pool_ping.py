"""A pooled PostgreSQL connection is pinged only after it sat idle (issue 21): under load a
transaction is not one round trip longer, and a connection that died while idle is still
replaced before anyone uses it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ponte import db


@pytest.fixture
def engine(postgres_databases):
    engine = db.create_engine_for("pings")
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    counted: list[int] = []
    ping = engine.dialect.do_ping

    def counting(dbapi_connection):  # noqa: ANN001, ANN202
        counted.append(1)
        return ping(dbapi_connection)
    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return counted


def _backend(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_back_within_a_moment_is_not_pinged(engine, pings):
    first = _backend(engine)
    for _ in range(5):
        assert _backend(engine) == first
    assert pings == []


def test_a_connection_idle_longer_is_pinged_and_replaced_if_it_died(engine, pings, monkeypatch):
    first = _backend(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend(engine) == first
    assert len(pings) == 1
    with sa.create_engine(engine.url.set(database="postgres"),
                          isolation_level="AUTOCOMMIT").connect() as admin:
        assert admin.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": first}).scalar()
    assert _backend(engine) != first  # no error: the dead connection was replaced
