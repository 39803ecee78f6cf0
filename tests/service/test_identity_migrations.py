"""Identity's migrations create exactly what its models describe, on SQLite and on PostgreSQL,
and a second run is a no-op (replicas starting together)."""
from __future__ import annotations


import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ponte import config, messaging
from ponte.db import create_engine_for, migrate
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


def test_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("identity")
    try:
        _check(engine)
    finally:
        engine.dispose()
        config.settings.cache_clear()


def test_postgresql(postgres_databases):
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
