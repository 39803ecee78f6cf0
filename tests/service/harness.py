"""What the service tests of every service need: the service under test beside fakes of the
services it calls, on an in-process broker with its own name, a listener that records what it
publishes, and a way to publish the events it consumes."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from kombu import Connection
from nameko import config as nameko_config
from nameko.events import event_handler
from nameko.runners import ServiceRunner

import ponte.broker  # noqa: F401  registers the in-process transport
from ponte import config, later, messaging, runtime
from ponte.db import Database
from ponte.messaging import relay


def listener(source: str, events: tuple[str, ...]) -> type:
    """A nameko service that records every ``source`` event of ``events`` in ``received``."""

    class Listener:
        name = "listener"
        received: list[dict] = []

        def record(self, event: dict) -> None:
            Listener.received.append(event)

    for event_type in events:
        Listener.record = event_handler(source, event_type)(Listener.record)
    return Listener


@contextmanager
def running(data: Path, classes: dict[str, type], **env: str) -> Iterator[ServiceRunner]:
    """Run ``classes`` (component name → class) with a fresh data directory, SQLite, local
    storage, the real clock and ``env``; the outbox relay polls fast."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PONTE_DATA_DIR", str(data))
    for name in ("PONTE_DB_URL", "PONTE_STORAGE_URL", "PONTE_CLOCK_OFFSET_DAYS"):
        patch.delenv(name, raising=False)
    for name, value in env.items():
        patch.setenv(name, value)
    patch.setattr(runtime, "service_classes", lambda: classes)
    patch.setattr(relay, "RELAY_POLL_SECONDS", 0.05)
    config.settings.cache_clear()
    try:
        with nameko_config.patch({"AMQP_URI": f"memory://{data.name}-{uuid.uuid4().hex[:6]}",
                                  "serializer": "json"}):
            runner = ServiceRunner()
            for cls in classes.values():
                runner.add_service(cls)
            runner.start()
            try:
                yield runner
            finally:
                runner.stop()
    finally:
        patch.undo()
        config.settings.cache_clear()


def emit(source: str, event_type: str, data: dict,
         occurred_at: str = "2026-12-01T12:00:00Z") -> str:
    """Publish an event the way the source's relay does; its id."""
    event = messaging.Event(str(uuid.uuid4()), event_type, source, occurred_at, data)
    with Connection(nameko_config["AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish(
            event.envelope(), exchange=messaging.event_exchange(source),
            routing_key=event_type, declare=[messaging.event_exchange(source)])
    return event.id


_STATEMENT = re.compile(r"^(INSERT INTO|UPDATE|DELETE FROM|SELECT\b.*?\bFROM)\s+\"?(\w+)",
                        re.IGNORECASE | re.DOTALL)


def _label(statement: str) -> str:
    """``UPDATE sequences``, ``INSERT INTO outbox``, ``SELECT FROM requests`` …"""
    found = _STATEMENT.match(statement.strip())
    if not found:
        return statement.split()[0].upper()
    verb = found.group(1).upper()
    return f"{'SELECT FROM' if verb.startswith('SELECT') else verb} {found.group(2)}"


@contextmanager
def transactions(container) -> Iterator[list[list[str]]]:  # noqa: ANN001
    """The transactions a service's container commits meanwhile, each as the labels of its
    round trips in order, ending with ``COMMIT``; writes sent with a statement
    (``ponte.later``, on PostgreSQL) are labelled with it: ``INSERT INTO x + INSERT INTO y``."""
    engine = next(d for d in container.dependencies if isinstance(d, Database)).engine
    running: dict[int, list[str]] = {}
    committed: list[list[str]] = []

    def executed(conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        carried = [_label(text.decode()) for text in later.waiting(conn)]
        running.setdefault(id(conn), []).append(" + ".join([*carried, _label(statement)]))

    def commit(conn) -> None:  # noqa: ANN001
        committed.append([*running.pop(id(conn), []), "COMMIT"])

    def rollback(conn) -> None:  # noqa: ANN001
        running.pop(id(conn), None)

    listeners = (("before_cursor_execute", executed), ("commit", commit),
                 ("rollback", rollback))
    for name, listener_ in listeners:
        sa.event.listen(engine, name, listener_)
    try:
        yield committed
    finally:
        for name, listener_ in listeners:
            sa.event.remove(engine, name, listener_)


def holding(committed: list[list[str]], lock: str = "UPDATE sequences") -> list[list[str]]:
    """Of the committed transactions that ran ``lock``, what each ran from the first one to its
    commit: while the row that statement locked stayed locked."""
    return [t[t.index(lock):] for t in committed if lock in t]


def turns_taken(monkeypatch: pytest.MonkeyPatch, use_cases: object) -> list[str]:
    """The sequences whose turn (``ponte.numbering.in_turn``) the module ``use_cases`` takes
    from now on, in order; the turns themselves no longer wait."""
    turns: list[str] = []

    @contextmanager
    def in_turn(sequence: str) -> Iterator[None]:
        turns.append(sequence)
        yield
    monkeypatch.setattr(use_cases, "in_turn", in_turn)
    return turns
