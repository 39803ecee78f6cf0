"""Group commit (``ponte.messaging.batches``, issue 21): events that wait while a service's
workers are busy are taken several at a time in one transaction, each exactly once; a batch
that fails runs again event by event, so only the bad event fails."""
from __future__ import annotations

import uuid
from pathlib import Path

import eventlet
import pytest
import sqlalchemy as sa
from nameko import config as nameko_config
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcClient

from ponte import config, messaging, runtime
from ponte.db import Database
from ponte.messaging import relay
from tests.stack import wait_until

MIGRATIONS = Path(__file__).parent / "messaging_migrations"
WORK_SECONDS = 0.2  # each run's work: long enough for the events behind it to queue up


class Till:
    name = "till"
    db = Database(MIGRATIONS)

    @rpc
    def ring(self, amounts: list[int]) -> list[str]:
        """One event per amount, all committed together (the relay publishes them at once)."""
        ids = [str(uuid.uuid4()) for _ in amounts]
        with self.db.transaction() as tx:
            for entry_id, amount in zip(ids, amounts, strict=True):
                tx.publish("rung", {"entry_id": entry_id, "amount": amount})
        return ids


class Ledger:
    name = "ledger"
    db = Database(MIGRATIONS)
    alone: list[str] = []
    batches: list[list[str]] = []

    @messaging.handles("till", "rung", subscription="till_rung")
    def rung(self, event: messaging.Event) -> None:
        Ledger.alone.append(event.data["entry_id"])
        self._enter([event])

    @messaging.batches(workers=2)
    def rung_together(self, batch: list[messaging.Batched]) -> None:
        Ledger.batches.append([item.event.data["entry_id"] for item in batch])
        self._enter([item.event for item in batch])

    def _enter(self, events: list[messaging.Event]) -> None:
        eventlet.sleep(WORK_SECONDS)
        with self.db.transaction() as tx:
            for event in events:
                if event.data["amount"] < 0:
                    raise ValueError("a negative amount")
                tx.session.execute(sa.text("INSERT INTO entries (id, amount) VALUES (:i, :a)"),
                                   {"i": event.data["entry_id"], "a": event.data["amount"]})


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("batches")
    patch = pytest.MonkeyPatch()
    patch.setenv("PONTE_DATA_DIR", str(data))
    patch.delenv("PONTE_DB_URL", raising=False)
    patch.setattr(runtime, "service_classes", lambda: {"till": Till, "ledger": Ledger})
    patch.setattr(relay, "RELAY_POLL_SECONDS", 0.05)
    config.settings.cache_clear()
    with nameko_config.patch({"AMQP_URI": f"memory://batches-{uuid.uuid4().hex[:6]}",
                              "serializer": "json"}):
        runner = ServiceRunner()
        runner.add_service(Till)
        runner.add_service(Ledger)
        runner.start()
        yield data
        runner.stop()
    patch.undo()
    config.settings.cache_clear()


def _rows(data: Path, query: str) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{data}/ledger.db")
    with engine.connect() as conn:
        found = [row[0] for row in conn.execute(sa.text(query))]
    engine.dispose()
    return found


def _event_ids(data: Path, entry_ids: list[str]) -> set[str]:
    engine = sa.create_engine(f"sqlite:///{data}/till.db")
    with engine.connect() as conn:
        found = {row.id for row in conn.execute(sa.text("SELECT id, payload FROM outbox"))
                 if any(entry_id in row.payload for entry_id in entry_ids)}
    engine.dispose()
    return found


def test_events_that_wait_for_a_worker_are_taken_together_each_once(data):
    with ClusterRpcClient() as client:
        ids = client.till.ring([1] * 30)
    wait_until(lambda: set(ids) <= set(_rows(data, "SELECT id FROM entries")), 15, 0.05,
               what="every entry")
    batched = [entry for batch in Ledger.batches for entry in batch if entry in ids]
    assert any(len(batch) > 1 for batch in Ledger.batches)
    assert sorted(batched + [i for i in Ledger.alone if i in ids]) == sorted(ids)
    # two workers: at most two ran alone before the rest queued behind them
    assert len([i for i in Ledger.alone if i in ids]) <= 2
    processed = _rows(data, "SELECT event_id FROM processed_events WHERE handler = 'till_rung'")
    assert sorted(e for e in processed if e in _event_ids(data, ids)) == \
        sorted(_event_ids(data, ids))


def test_a_failing_event_fails_alone_and_the_rest_of_its_batch_commits(data):
    amounts = [1] * 12 + [-1] + [1] * 12
    with ClusterRpcClient() as client:
        ids = client.till.ring(amounts)
    good = [entry for entry, amount in zip(ids, amounts, strict=True) if amount > 0]
    bad = ids[amounts.index(-1)]
    wait_until(lambda: set(good) <= set(_rows(data, "SELECT id FROM entries")), 15, 0.05,
               what="every good entry")
    assert bad not in _rows(data, "SELECT id FROM entries")
    assert any(bad in batch for batch in Ledger.batches)  # it was batched, and the batch failed
    assert bad in Ledger.alone  # then it ran on its own
    failed = _rows(data, "SELECT event_id FROM event_failures WHERE handler = 'till_rung'")
    assert failed == [*_event_ids(data, [bad])]
    entries = _rows(data, "SELECT id FROM entries")
    assert len(entries) == len(set(entries))
