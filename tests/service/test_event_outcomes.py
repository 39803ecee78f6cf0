"""What one handled event costs the plumbing (issue 21): a handler whose own transaction recorded
the event is acknowledged without a second transaction, and one that wrote nothing is still
recorded once. Nothing is read before a worker starts: a redelivery runs the handler again, and
the processed mark in its transaction refuses it, rolling back all it wrote."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from kombu import Connection
from nameko import config as nameko_config
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcClient

from ponte import config, messaging, runtime
from ponte.db import Database, create_engine_for, migrate
from ponte.messaging import handlers, relay
from tests.stack import wait_until

MIGRATIONS = Path(__file__).parent / "messaging_migrations"


class Till:
    name = "till"
    db = Database(MIGRATIONS)

    @rpc
    def ring(self, amount: int) -> str:
        entry_id = str(uuid.uuid4())
        with self.db.transaction() as tx:
            tx.publish("rung", {"entry_id": entry_id, "amount": amount})
        return entry_id


class Books:
    name = "books"
    db = Database(MIGRATIONS)
    runs: list[str] = []

    @messaging.handles("till", "rung", subscription="till_rung")
    def rung(self, event: messaging.Event) -> None:
        Books.runs.append(event.data["entry_id"])
        if event.data["amount"] == 0:
            return  # nothing to write: no transaction of its own
        with self.db.transaction() as tx:  # a new row each run: only the mark refuses a twin
            tx.session.execute(sa.text("INSERT INTO entries (id, amount) VALUES (:i, :a)"),
                               {"i": f"{event.data['entry_id']}:{uuid.uuid4()}",
                                "a": event.data["amount"]})


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    data = tmp_path_factory.mktemp("outcomes")
    patch = pytest.MonkeyPatch()
    patch.setenv("PONTE_DATA_DIR", str(data))
    patch.delenv("PONTE_DB_URL", raising=False)
    patch.setattr(runtime, "service_classes", lambda: {"till": Till, "books": Books})
    patch.setattr(relay, "RELAY_POLL_SECONDS", 0.05)
    settled: list[str] = []
    settle = relay.Relay.settle

    def counted(self, event, handler, exc_info):  # noqa: ANN001, ANN202
        settled.append(event.data["entry_id"])
        return settle(self, event, handler, exc_info)
    patch.setattr(relay.Relay, "settle", counted)
    config.settings.cache_clear()
    with nameko_config.patch({"AMQP_URI": f"memory://outcomes-{uuid.uuid4().hex[:6]}",
                              "serializer": "json"}):
        runner = ServiceRunner()
        runner.add_service(Till)
        runner.add_service(Books)
        runner.start()
        yield data, settled
        runner.stop()
    patch.undo()
    config.settings.cache_clear()


def _processed(data: Path, entry_id: str) -> int:
    engine = sa.create_engine(f"sqlite:///{data}/books.db")
    with engine.connect() as conn:
        ids = [row.event_id for row in conn.execute(sa.text(
            "SELECT event_id FROM processed_events WHERE handler = 'till_rung'"))]
    engine.dispose()
    return sum(1 for event_id in ids if event_id in _event_ids(data, entry_id))


def _entries(data: Path, entry_id: str) -> int:
    engine = sa.create_engine(f"sqlite:///{data}/books.db")
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM entries WHERE id LIKE :p"),
                             {"p": f"{entry_id}:%"}).scalar_one()
    engine.dispose()
    return count


def _event_ids(data: Path, entry_id: str) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{data}/till.db")
    with engine.connect() as conn:
        ids = [r.id for r in conn.execute(sa.text("SELECT id, payload FROM outbox"))
               if entry_id in r.payload]
    engine.dispose()
    return ids


def _redeliver(data: Path, entry_id: str) -> None:
    engine = sa.create_engine(f"sqlite:///{data}/till.db")
    with engine.connect() as conn:
        payload = next(r.payload for r in conn.execute(sa.text("SELECT payload FROM outbox"))
                       if entry_id in r.payload)
    engine.dispose()
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            json.loads(payload), exchange=messaging.event_exchange("till"), routing_key="rung")


def test_a_handler_that_recorded_its_event_needs_no_second_transaction(running):
    data, settled = running
    with ClusterRpcClient() as client:
        entry_id = client.till.ring(5)
    wait_until(lambda: _processed(data, entry_id) == 1, 10, what="the event recorded")
    assert entry_id not in settled
    _redeliver(data, entry_id)
    # the twin, refused by the mark, goes to the relay to be recorded: nothing of it is kept
    wait_until(lambda: settled.count(entry_id) == 1, 10, what="the twin settled")
    assert Books.runs.count(entry_id) == 2
    assert _entries(data, entry_id) == 1
    assert _processed(data, entry_id) == 1


def test_a_handler_that_wrote_nothing_is_still_recorded_once(running):
    data, settled = running
    with ClusterRpcClient() as client:
        entry_id = client.till.ring(0)
    wait_until(lambda: _processed(data, entry_id) == 1, 10, what="the event recorded")
    _redeliver(data, entry_id)
    # each run is recorded by the relay; the second finds the mark there
    wait_until(lambda: settled.count(entry_id) == 2, 10, what="the twin settled")
    assert Books.runs.count(entry_id) == 2
    assert _processed(data, entry_id) == 1


def test_the_relay_claims_a_batch_in_one_statement_and_stops_when_it_was_not_full(
        tmp_path, monkeypatch):
    """A wake after one commit costs one transaction of one statement (the batch marked
    published and read back), not a second one that finds nothing."""
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PONTE_DB_URL", raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("till")
    migrate("till", engine, MIGRATIONS)
    with engine.begin() as conn:
        conn.execute(messaging.outbox.insert(),
                     [messaging.outbox_row("till", "rung", {"n": n}, None) for n in range(3)])
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *_: statements.append(statement))
    published: list[dict] = []
    outbox_relay = relay.Relay(SimpleNamespace(service_name="till"), engine)
    outbox_relay._declare = []
    monkeypatch.setattr(outbox_relay, "_producer", lambda: SimpleNamespace(
        publish=lambda payload, **_: published.append(payload)))
    assert outbox_relay.publish_pending() == 3
    assert [p["data"]["n"] for p in published] == [0, 1, 2]
    assert len(statements) == 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).where(
            messaging.outbox.c.published_at.is_(None))).scalar_one() == 0
    assert outbox_relay.publish_pending() == 0

    def broker_away(payload, **_):  # noqa: ANN001, ANN202
        raise ConnectionResetError("the broker went away")
    with engine.begin() as conn:
        conn.execute(messaging.outbox.insert(),
                     messaging.outbox_row("till", "rung", {"n": 3}, None))
    monkeypatch.setattr(outbox_relay, "_producer", lambda: SimpleNamespace(publish=broker_away))
    with pytest.raises(ConnectionResetError):
        outbox_relay.publish_pending()
    with engine.connect() as conn:  # not marked: the next pass publishes it
        assert conn.execute(sa.select(sa.func.count()).where(
            messaging.outbox.c.published_at.is_(None))).scalar_one() == 1
    engine.dispose()
    config.settings.cache_clear()


def test_while_the_database_is_away_events_wait_in_their_queue_not_in_workers(
        running, monkeypatch):
    """An outcome that could not be recorded (the database away) holds every next event of the
    container in its consumer, a pause at a time, with no worker: workers full of events
    failing for that reason would keep the service's RPCs waiting after it is back."""
    data, _settled = running
    monkeypatch.setattr(handlers, "AWAY_PAUSE_SECONDS", 2.0)
    settle, away = relay.Relay.settle, [True]

    def first_away(self, event, handler, exc_info):  # noqa: ANN001, ANN202
        if away.pop() if away else False:
            raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
        return settle(self, event, handler, exc_info)
    monkeypatch.setattr(relay.Relay, "settle", first_away)
    with ClusterRpcClient() as client:
        first = client.till.ring(0)  # no transaction of its own: its outcome is settled
        wait_until(lambda: not away, 5, what="the outcome to meet the database away")
        second = client.till.ring(0)
        time.sleep(1.0)
        assert Books.runs.count(first) == 1 and second not in Books.runs
    wait_until(lambda: _processed(data, first) == 1 and _processed(data, second) == 1, 15,
               what="both events handled once the pause is over")
