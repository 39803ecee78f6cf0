"""Item 22 of issue 17: a driver error names no SQL parameter, so a CPF or a name that was being
written never reaches the ERROR log."""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from gateway.problems import problem_response
from ponte import config
from ponte.db import create_engine_for

CPF, NAME = "52998224725", "Maria Sigilosa"
people = sa.Table("people", sa.MetaData(), sa.Column("cpf", sa.String(11), primary_key=True),
                  sa.Column("name", sa.String(100), nullable=False))


def _fail_with_personal_data(engine: sa.Engine) -> sa.exc.SQLAlchemyError:
    with engine.begin() as conn:
        people.create(conn, checkfirst=True)
        conn.execute(people.insert(), {"cpf": CPF, "name": NAME})
    with pytest.raises(sa.exc.IntegrityError) as failed, engine.begin() as conn:
        conn.execute(people.insert(), {"cpf": CPF, "name": NAME})
    return failed.value


def _assert_logged_without_personal_data(error: Exception, caplog) -> None:
    with caplog.at_level(logging.ERROR):
        problem_response(error)  # what the gateway does with an unexpected error: log, 500
        logging.getLogger("ponte.test").exception("driver error", exc_info=error)
    logged = "\n".join(record.getMessage() + "\n" + logging.Formatter().formatException(
        (type(record.exc_info[1]), record.exc_info[1], record.exc_info[2]))
        for record in caplog.records if record.exc_info)
    assert "people" in logged  # the error itself is there
    assert CPF not in logged and NAME not in logged
    assert CPF not in str(error) and NAME not in str(error)


def test_sqlite_errors_hide_their_parameters(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PONTE_DB_URL", f"sqlite:///{tmp_path}/{{service}}.db")
    config.settings.cache_clear()
    try:
        _assert_logged_without_personal_data(
            _fail_with_personal_data(create_engine_for("ledger")), caplog)
    finally:
        config.settings.cache_clear()


def test_postgresql_errors_hide_their_parameters(postgres_databases, caplog):
    config.settings.cache_clear()
    try:
        engine = create_engine_for("ledger")
        try:
            _assert_logged_without_personal_data(_fail_with_personal_data(engine), caplog)
        finally:
            engine.dispose()
    finally:
        config.settings.cache_clear()
