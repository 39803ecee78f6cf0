"""Identity's migrations create exactly what its models describe, on SQLite and on PostgreSQL;
a second run is a no-op; and replicas starting at the same moment on PostgreSQL (separate
processes) all come up, one of them migrating."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ponte import config, messaging
from ponte.db import alembic_config, create_engine_for, migrate
from services.identity.models import Base


def _differences(engine: sa.Engine) -> list:
    def ours(name, type_, parents) -> bool:  # noqa: ANN001
        if type_ == "schema":
            return True
        table = name if type_ == "table" else parents.get("table_name")
        return table in Base.metadata.tables

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours,
                                                         "compare_type": True})
        return compare_metadata(context, Base.metadata)


def _check(engine: sa.Engine) -> None:
    migrate("identity", engine)
    migrate("identity", engine)
    assert _differences(engine) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert set(Base.metadata.tables) | set(messaging.metadata.tables) <= tables


def test_migrations_create_exactly_the_models_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("identity")
    try:
        _check(engine)
    finally:
        engine.dispose()
        config.settings.cache_clear()


def test_migrations_create_exactly_the_models_on_postgresql(postgres_databases):
    engine = create_engine_for("identity")
    try:
        _check(engine)
    finally:
        engine.dispose()


def test_the_comparison_notices_a_difference(tmp_path, monkeypatch):
    """Guard against a vacuous check: a column the models lack is reported."""
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("identity")
    try:
        migrate("identity", engine)
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE accounts ADD COLUMN stray INTEGER"))
        assert [d[0] for d in _differences(engine)] == ["remove_column"]
    finally:
        engine.dispose()
        config.settings.cache_clear()


REPLICA = """
import sys, time
from ponte.db import alembic_config, create_engine_for, migrate
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # all replicas go at the same instant
engine = create_engine_for("identity")
migrate("identity", engine)
engine.dispose()
"""


def test_replicas_migrating_at_the_same_moment_on_postgresql(postgres_databases):
    """Each replica is its own process (the in-process lock cannot help them): they race to
    create the database and to migrate it; the advisory lock lets one migrate and the others
    find it done."""
    start = time.time() + 3  # time for every interpreter to import before the start
    root = Path(__file__).resolve().parents[2]
    replicas = [subprocess.Popen([sys.executable, "-c", REPLICA, str(start)], cwd=root,
                                 env={**os.environ, "PYTHONPATH": str(root)},
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(4)]
    outputs = [replica.communicate(timeout=120)[0] for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0] * 4, "\n".join(outputs)
    engine = create_engine_for("identity")
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()


def _backfill(engine: sa.Engine) -> None:
    """identity_0004 fills the new search keys of rows written before it."""
    with engine.begin() as conn:
        command.upgrade(alembic_config("identity", conn), "identity_0003")
        conn.execute(sa.text(
            "INSERT INTO providers (id, document, person_type, legal_name, email, status, "
            "address, phones, created_by, created_at, updated_at) VALUES ('p1', '11222333000181',"
            " 'organisation', 'Clínica São-José', 'p@x.test', 'active', :address, '[]', 'op', "
            ":now, :now)"), {"address": '{"city": "São Paulo"}', "now": "2026-01-01 00:00:00"})
        conn.execute(sa.text(
            "INSERT INTO accounts (id, kind, status, email, name, name_key, roles, locale, "
            "created_at, updated_at) VALUES ('a1', 'secretary', 'active', 's@x.test', "
            "'Ana D''Ávila', 'ana d''avila', '[]', 'pt-BR', :now, :now)"),
            {"now": "2026-01-01 00:00:00"})
    migrate("identity", engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name_key, city_key FROM providers")).one() == (
            "clinica sao jose", "sao paulo")
        assert conn.execute(sa.text("SELECT name_key FROM accounts")).scalar() == "ana d avila"


def test_search_keys_are_filled_in_for_existing_rows_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("identity")
    try:
        _backfill(engine)
    finally:
        engine.dispose()
        config.settings.cache_clear()


def test_search_keys_are_filled_in_for_existing_rows_on_postgresql(postgres_databases):
    engine = create_engine_for("identity")
    try:
        _backfill(engine)
    finally:
        engine.dispose()
