"""Every service's ``processed_events`` has an index on ``processed_at``, so the relay's hourly
prune (``processed_at < now() - retention``) does not read the whole table: on a new database
and on one migrated before the index existed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from ponte import config
from ponte.db import ROOT, alembic_config, create_engine_for, migrate

SERVICES = ("identity", "relationships", "authorizations", "attendance", "notifications")


def _indexed_columns(engine: sa.Engine) -> list[list[str]]:
    return [index["column_names"] for index in sa.inspect(engine).get_indexes("processed_events")]


def _before_index(service: str) -> str:
    """The revision before the one that added the index (later migrations may follow it)."""
    [path] = (ROOT / "services" / service / "migrations").glob("*_processed_events_index.py")
    return next(line.split('"')[1] for line in path.read_text().splitlines()
                if line.startswith("down_revision"))


def _check(service: str) -> None:
    engine = create_engine_for(service)
    try:
        migrate(service, engine)
        assert ["processed_at"] in _indexed_columns(engine)
        with engine.begin() as conn:  # back to the revision before the index: as it was
            command.downgrade(alembic_config(service, conn), _before_index(service))
        assert ["processed_at"] not in _indexed_columns(engine)
        migrate(service, engine)
        assert ["processed_at"] in _indexed_columns(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_processed_at_is_indexed_after_migrating_on_sqlite(service, tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    try:
        _check(service)
    finally:
        config.settings.cache_clear()


@pytest.mark.parametrize("service", SERVICES)
def test_processed_at_is_indexed_after_migrating_on_postgresql(service, postgres_databases):
    _check(service)
