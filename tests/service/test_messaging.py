"""The reliable-events plumbing, on the in-process broker with real SQLite databases: events
commit with the change, reach consumers that were not running yet, take effect once per event
id, and a failing handler is retried with backoff and finally parked as dead (never dropped)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from kombu import Connection
from nameko import config as nameko_config
from nameko.exceptions import ContainerBeingKilled
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy.orm import sessionmaker

import ponte.broker  # the in-process transport, and its queues
from ponte import config, messaging, runtime
from ponte.clock import now
from ponte.db import Database, Transaction
from ponte.messaging import relay
from tests.stack import wait_until

MIGRATIONS = Path(__file__).parent / "messaging_migrations"


class Ledger:
    name = "ledger"
    db = Database(MIGRATIONS)

    @rpc
    def add_entry(self, amount: int, fail_after_publish: bool = False) -> str:
        entry_id = str(uuid.uuid4())
        with self.db.transaction() as tx:
            tx.session.execute(sa.text("INSERT INTO entries (id, amount) VALUES (:i, :a)"),
                               {"i": entry_id, "a": amount})
            tx.publish("entry_added", {"entry_id": entry_id, "amount": amount})
            if fail_after_publish:
                raise ValueError("the change and its event are rolled back together")
        return entry_id


class Audit:
    name = "audit"
    db = Database(MIGRATIONS)
    failures_left: dict[str, int] = {}

    @messaging.handles("ledger", "entry_added", subscription="ledger_entries")
    def record(self, event: messaging.Event) -> None:
        amount = event.data["amount"]
        if amount < 0:
            raise RuntimeError("negative amounts always fail")
        left = Audit.failures_left.get(event.data["entry_id"], 0)
        if left:
            Audit.failures_left[event.data["entry_id"]] = left - 1
            raise RuntimeError("transient failure")
        with self.db.transaction() as tx:
            tx.session.execute(sa.text("INSERT INTO entries (id, amount) VALUES (:i, :a)"),
                               {"i": event.data["entry_id"], "a": amount})


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("messaging")
    patch = pytest.MonkeyPatch()
    patch.setenv("PONTE_DATA_DIR", str(data))
    patch.delenv("PONTE_DB_URL", raising=False)
    patch.setattr(runtime, "service_classes", lambda: {"ledger": Ledger, "audit": Audit})
    patch.setattr(relay, "backoff", lambda attempts: timedelta(milliseconds=50))
    patch.setattr(relay, "RELAY_POLL_SECONDS", 0.05)
    config.settings.cache_clear()
    amqp = f"memory://messaging-{uuid.uuid4().hex[:6]}"
    with nameko_config.patch({"AMQP_URI": amqp, "serializer": "json"}):
        yield data
    patch.undo()
    config.settings.cache_clear()


def _rows(data: Path, service: str, table: str, where: str = "1=1") -> list:
    engine = sa.create_engine(f"sqlite:///{data}/{service}.db")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {where}")).mappings().all()
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def ledger_first(env):
    """The ledger runs alone first: its events must wait for an auditor that never ran."""
    runner = ServiceRunner()
    runner.add_service(Ledger)
    runner.start()
    with ClusterRpcClient() as client:
        early = client.ledger.add_entry(7)
    wait_until(lambda: _rows(env, "ledger", "outbox", "published_at IS NOT NULL"), 5,
               what="the relay to publish")
    auditor = ServiceRunner()
    auditor.add_service(Audit)
    auditor.start()
    yield early
    auditor.stop()
    runner.stop()


def test_an_event_published_before_its_consumer_ever_ran_is_delivered(env, ledger_first):
    wait_until(lambda: _rows(env, "audit", "entries", f"id = '{ledger_first}'"), 5,
               what="the early event")


def test_a_rolled_back_change_publishes_nothing(env, ledger_first):
    before = len(_rows(env, "ledger", "outbox"))
    with ClusterRpcClient() as client, pytest.raises(Exception):  # noqa: B017  any failure
        client.ledger.add_entry(3, fail_after_publish=True)
    assert len(_rows(env, "ledger", "outbox")) == before


def test_a_redelivered_event_is_handled_once(env, ledger_first):
    row = _rows(env, "ledger", "outbox", f"payload LIKE '%{ledger_first}%'")[0]
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            json.loads(row["payload"]), exchange=messaging.event_exchange("ledger"),
            routing_key="entry_added")
    with ClusterRpcClient() as client:
        marker = client.ledger.add_entry(11)  # delivered after the duplicate
    wait_until(lambda: _rows(env, "audit", "entries", f"id = '{marker}'"), 5, what="marker")
    assert len(_rows(env, "audit", "entries", f"id = '{ledger_first}'")) == 1


def test_transient_failures_are_retried_with_the_attempts_recorded(env, ledger_first):
    entry_id = str(uuid.uuid4())
    Audit.failures_left[entry_id] = 3
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            messaging.Event(entry_id, "entry_added", "ledger", "2026-01-01T00:00:00Z",
                            {"entry_id": entry_id, "amount": 9}).envelope(),
            exchange=messaging.event_exchange("ledger"), routing_key="entry_added")
    wait_until(lambda: _rows(env, "audit", "entries", f"id = '{entry_id}'"), 10,
               what="the handler to succeed after three failures")
    assert Audit.failures_left[entry_id] == 0
    assert not _rows(env, "audit", "event_failures", f"event_id = '{entry_id}'")


def test_a_handler_that_always_fails_is_parked_as_dead_and_can_be_replayed(env, ledger_first):
    with ClusterRpcClient() as client:
        entry_id = client.ledger.add_entry(-1)
    dead = wait_until(lambda: _rows(env, "audit", "event_failures",
                                    "status = 'dead'"), 15, what="the run to be parked")
    assert dead[0]["attempts"] == messaging.MAX_ATTEMPTS
    assert "negative amounts always fail" in dead[0]["last_error"]
    assert not _rows(env, "audit", "entries", f"id = '{entry_id}'")
    engine = sa.create_engine(f"sqlite:///{env}/audit.db")
    assert messaging.replay_dead(engine) == 1
    wait_until(lambda: _rows(env, "audit", "event_failures", "status = 'dead'"), 15,
               what="the replayed run to fail again and be parked")


def test_a_message_that_is_not_an_event_is_dropped_without_stopping_the_consumer(
        env, ledger_first):
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            {"not": "an envelope"}, exchange=messaging.event_exchange("ledger"),
            routing_key="entry_added")
    with ClusterRpcClient() as client:
        entry_id = client.ledger.add_entry(13)
    wait_until(lambda: _rows(env, "audit", "entries", f"id = '{entry_id}'"), 5,
               what="the consumer to carry on after the malformed message")


def test_the_queue_and_the_records_follow_the_subscription_name_not_the_method(env, ledger_first):
    declared = ponte.broker.queues(nameko_config["AMQP_URI"])
    assert "evt-ledger-entry_added--audit.ledger_entries" in declared
    assert not [q for q in declared if q.endswith("--audit.record")]
    assert {row["handler"] for row in _rows(env, "audit", "processed_events")} == {
        "ledger_entries"}
    assert messaging.subscriptions([Audit]) == [("ledger", "entry_added", "audit",
                                                 "ledger_entries")]


@pytest.mark.parametrize("name", ["", "Record", "1st", "with-dash", "x" * 101])
def test_a_subscription_needs_a_plain_stable_name(name):
    with pytest.raises(ValueError):
        messaging.handles("ledger", "entry_added", subscription=name)(_handler)


def test_a_subscription_cannot_be_declared_without_a_name():
    with pytest.raises(TypeError):
        messaging.handles("ledger", "entry_added")(_handler)


def _handler(self, event: messaging.Event) -> None:
    pass


def test_processed_events_older_than_the_retention_are_pruned(env, ledger_first):
    engine = sa.create_engine(f"sqlite:///{env}/audit.db")
    old, recent = now() - timedelta(days=15), now() - timedelta(days=13)
    with engine.begin() as conn:
        for event_id, moment in (("old-event", old), ("recent-event", recent)):
            conn.execute(messaging.processed_events.insert().values(
                event_id=event_id, handler="ledger_entries", processed_at=moment))
    relay = messaging.Relay(SimpleNamespace(service_name="audit"), engine)
    assert relay.prune_processed() >= 1
    kept = {row["event_id"] for row in _rows(env, "audit", "processed_events")}
    assert "recent-event" in kept and "old-event" not in kept
    assert messaging.PROCESSED_RETENTION == timedelta(days=14)
    engine.dispose()


def test_a_retry_runs_when_due_without_waiting_for_the_idle_poll(env, ledger_first, monkeypatch):
    """The relay sleeps up to RELAY_POLL_SECONDS while idle, but wakes for a retry it has
    scheduled: three 50 ms backoffs take well under one (long) idle poll."""
    monkeypatch.setattr(relay, "RELAY_POLL_SECONDS", 30.0)
    time.sleep(0.2)  # let the relays take the long sleep
    entry_id = str(uuid.uuid4())
    Audit.failures_left[entry_id] = 3
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            messaging.Event(entry_id, "entry_added", "ledger", "2026-01-01T00:00:00Z",
                            {"entry_id": entry_id, "amount": 5}).envelope(),
            exchange=messaging.event_exchange("ledger"), routing_key="entry_added")
    wait_until(lambda: _rows(env, "audit", "entries", f"id = '{entry_id}'"), 5,
               what="three retries, each as soon as it is due")


def test_commits_wake_the_relay_to_publish_without_a_look_for_retries(env, ledger_first,
                                                                      monkeypatch):
    """A look for due retries is three round trips; the relay takes it at each poll and when a
    retry it scheduled falls due, not at every wake by a commit (issue 21)."""
    monkeypatch.setattr(relay, "RELAY_POLL_SECONDS", 30.0)
    time.sleep(0.2)  # let the relays take the long sleep, their last look just taken
    looks: list[str] = []

    def count(_conn, _cursor, statement, *_) -> None:  # noqa: ANN001
        if "FROM event_failures" in statement:
            looks.append(statement)
    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    try:
        with ClusterRpcClient() as client:
            added = [client.ledger.add_entry(n) for n in range(5)]
        wait_until(lambda: all(_rows(env, "audit", "entries", f"id = '{entry}'")
                               for entry in added), 5, what="the five events handled")
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", count)
    assert looks == []


def test_events_are_written_together_as_the_last_statement_of_their_transaction(tmp_path):
    """One INSERT at the commit however many events (a savepoint's release does not write them);
    a rolled-back transaction writes none."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/outbox.db")
    with engine.begin() as conn:
        messaging.create_tables(conn)
        conn.execute(sa.text("CREATE TABLE entries (id TEXT PRIMARY KEY)"))
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_: statements.append(
                        " ".join(statement.split()[:3])))
    sessions = sessionmaker(engine)
    with sessions() as session, session.begin():
        tx = Transaction(session, "ledger")
        tx.publish("entry_added", {"n": 1})
        with session.begin_nested():
            session.execute(sa.text("INSERT INTO entries (id) VALUES ('a')"))
            tx.publish("entry_added", {"n": 2})
        tx.publish("entry_added", {"n": 3})
    assert statements == ["SAVEPOINT sa_savepoint_1", "INSERT INTO entries",
                          "RELEASE SAVEPOINT sa_savepoint_1", "INSERT INTO outbox"]
    with sessions() as session:
        with pytest.raises(ValueError), session.begin():
            Transaction(session, "ledger").publish("entry_added", {"n": 4})
            raise ValueError("rolled back")
        with session.begin():  # the same session again, publishing nothing
            session.execute(sa.text("INSERT INTO entries (id) VALUES ('b')"))
    with engine.connect() as conn:
        written = conn.execute(sa.select(messaging.outbox.c.payload)
                               .order_by(messaging.outbox.c.seq)).scalars().all()
    assert [event["data"]["n"] for event in written] == [1, 2, 3]
    engine.dispose()


def test_retries_claimed_by_a_stopping_service_are_due_again_at_once(tmp_path):
    """A relay that claims due retries while its container is being killed cannot start them:
    they go back at once instead of waiting out the lease (bench/chaos.py's restart of
    notifications saw two events' notices arrive only after its wait)."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/stopping.db")
    with engine.begin() as conn:
        messaging.create_tables(conn)
        for n in range(3):
            event = messaging.Event(f"evt-{n}", "entry_added", "ledger", "2026-01-01T00:00:00Z",
                                    {"entry_id": f"e-{n}", "amount": 1})
            conn.execute(messaging.event_failures.insert().values(
                event_id=event.id, handler="ledger_entries", envelope=event.envelope(),
                attempts=1, status="retrying", last_error="x",
                next_attempt_at=now() - timedelta(seconds=1), created_at=now()))
    handler = messaging.ReliableEventHandler("ledger", "entry_added",
                                             subscription="ledger_entries")

    def being_killed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ContainerBeingKilled()
    container = SimpleNamespace(service_name="audit", entrypoints=[handler],
                                spawn_worker=being_killed)
    assert messaging.Relay(container, engine).retry_due() == 0
    with engine.connect() as conn:
        due = conn.execute(sa.select(sa.func.count()).select_from(messaging.event_failures)
                           .where(messaging.event_failures.c.next_attempt_at <= now())).scalar()
    engine.dispose()
    assert due == 3


def test_a_retried_run_whose_outcome_cannot_be_recorded_leaves_its_service_running(tmp_path):
    """nameko kills the whole container when a worker's result handler raises; `make chaos`
    stopped PostgreSQL as a retry ended and notifications died. The retry stays claimed and
    runs again when the claim lapses."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/missing/folder.db")
    relay_ = messaging.Relay(SimpleNamespace(service_name="audit"), engine)
    event = messaging.Event("evt-away", "entry_added", "ledger", "2026-01-01T00:00:00Z", {})
    handle_result = relay_._settles(event, "ledger_entries")
    assert handle_result(None, "done", None) == ("done", None)
    engine.dispose()


def test_the_relay_looks_for_retries_when_one_falls_due_or_at_the_poll(monkeypatch):
    """A look at the poll keeps a retry scheduled for later; a commit's wake in between makes
    no look."""
    clock = [100.0]
    monkeypatch.setattr(relay.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(relay, "RELAY_POLL_SECONDS", 5.0)
    looking = relay.Relay(SimpleNamespace(service_name="ledger"), None)
    assert looking._retries_may_be_due()  # the first pass
    assert not looking._retries_may_be_due()  # a commit right after
    looking._retry_in(timedelta(seconds=7))  # due at 107
    clock[0] = 105.0
    assert looking._retries_may_be_due()  # the poll
    assert looking._next_retry == 107.0 and looking._sleep() == 2.0
    clock[0] = 106.0
    assert not looking._retries_may_be_due()
    clock[0] = 107.0
    assert looking._retries_may_be_due() and looking._next_retry is None
    assert not looking._retries_may_be_due()
