"""The ponte command's maintenance verbs, on a scratch data directory."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from ponte import cli, config, db, messaging
from ponte.clock import now
from ponte.db import create_engine_for


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    yield tmp_path
    config.settings.cache_clear()


def test_dead_letters_are_listed_and_replayed(data_dir, capsys):
    assert cli.main(["dead-letters", "notifications"]) == 0
    assert "0 dead handler run(s)" in capsys.readouterr().err
    engine = create_engine_for("notifications")
    event = messaging.Event("e-1", "password_reset_requested", "identity",
                            "2026-11-23T12:00:00Z", {"email": "a@ponte.test"})
    with engine.begin() as conn:
        conn.execute(messaging.event_failures.insert().values(
            event_id=event.id, handler="on_password_reset_requested", envelope=event.envelope(),
            attempts=messaging.MAX_ATTEMPTS, status="dead", last_error="Traceback\nSMTPError",
            next_attempt_at=now(), created_at=now()))
    assert cli.main(["dead-letters", "notifications"]) == 0
    listed = capsys.readouterr()
    assert '"handler": "on_password_reset_requested"' in listed.out and "SMTPError" in listed.out
    assert cli.main(["dead-letters", "notifications", "--replay"]) == 0
    with engine.connect() as conn:
        status, attempts = conn.execute(sa.select(messaging.event_failures.c.status,
                                                  messaging.event_failures.c.attempts)).one()
    assert (status, attempts) == ("retrying", 0)
    engine.dispose()


def test_a_service_without_a_database_has_no_dead_letters(data_dir, capsys, monkeypatch):
    # every service keeps a database now: pretend one has no migrations
    monkeypatch.setattr(db, "ROOT", data_dir / "no-services-here")
    assert cli.main(["dead-letters", "attendance"]) == 0
    assert "keeps no database" in capsys.readouterr().err


def test_subscriptions_lists_and_declares_the_durable_queues(data_dir, capsys, monkeypatch):
    import ponte.broker  # the in-process broker, to declare on
    monkeypatch.setenv("AMQP_URI", "memory://cli-subscriptions")
    config.settings.cache_clear()
    assert cli.main(["subscriptions", "--declare"]) == 0
    listed = capsys.readouterr().out.split()
    queue = "evt-identity-account_deleted--relationships.handle_account_deleted"
    assert queue in listed and all(name.startswith("evt-") for name in listed)
    assert queue in ponte.broker.queues("memory://cli-subscriptions")
