"""Database plumbing on the machine's real PostgreSQL: the driver cooperates with eventlet (slow
queries overlap instead of queueing), databases are created on demand, and a URL without
``{service}`` gives each service its own schema."""
from __future__ import annotations

import time

import eventlet
import pytest
import sqlalchemy as sa

from ponte import config
from ponte.db import create_engine_for


@pytest.fixture
def pg_url(postgres_databases):
    return postgres_databases


def test_concurrent_slow_queries_overlap_under_eventlet(pg_url):
    """Ten 0.5 s queries on green threads finish in about 0.5 s, not 5 s: the driver yields to
    the event loop while PostgreSQL works, so one slow query never stalls a whole service."""
    engine = create_engine_for("probe")

    def slow_query() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_sleep(0.5)"))

    slow_query()  # open the first connection outside the measurement
    pool = eventlet.GreenPool(10)
    started = time.perf_counter()
    for _ in range(10):
        pool.spawn(slow_query)
    pool.waitall()
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert elapsed < 2.0, f"queries ran one after another ({elapsed:.2f}s)"


def test_a_missing_database_is_created(pg_url):
    engine = create_engine_for("probe")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == f"{pg_url}_probe"
    engine.dispose()


def test_a_url_without_service_gives_each_service_its_own_schema(monkeypatch, pg_url):
    monkeypatch.setenv("PONTE_DB_URL",
                       f"postgresql+psycopg2://postgres@127.0.0.1:5432/{pg_url}_shared")
    config.settings.cache_clear()
    for service in ("identity", "notifications"):
        engine = create_engine_for(service)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE marker (service text)"))
            conn.execute(sa.text("INSERT INTO marker VALUES (:s)"), {"s": service})
        engine.dispose()
    engine = create_engine_for("identity")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT service FROM marker")).scalars().all() == ["identity"]
    engine.dispose()
