"""Reliable events: outbox, relay, idempotent handlers, retries and the dead-letter table.

* A service records events with ``tx.publish(...)`` inside its database transaction; they land in
  the ``outbox`` table with the change (or not at all).
* The :class:`Relay` (one per service container) publishes outbox rows to the service's topic
  exchange ``<service>.events`` with publisher confirms, then marks them published. It also
  declares every subscriber's durable queue first, so events published while a consumer has never
  run, or is down, wait for it.
* :func:`handles` marks a handler and names its *subscription*: an explicit, stable name that
  makes its durable queue (``evt-<source>-<event>--<service>.<subscription>``) and the key of its
  records below, so renaming the Python method changes nothing (docs/events.md says how a
  subscription itself is renamed or retired). A delivered event already processed by that
  subscription is acked and skipped (``processed_events``, written in the handler's own
  transaction; rows older than ``PROCESSED_RETENTION`` are pruned by the relay). A handler that
  raises is recorded in ``event_failures`` and retried with exponential backoff; after
  ``MAX_ATTEMPTS`` it stays there with status ``dead`` (``ponte dead-letters`` lists and replays).
"""
from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable
import uuid

import eventlet
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue
from nameko import config as nameko_config
from nameko.events import EventHandler, SERVICE_POOL
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from ponte.clock import iso, now
from ponte.errors import BROKER_AWAY, database_unreachable, first_line


log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The relay is woken at once by its own service's commits and sleeps until its next retry is
# due; this poll only catches what another process left behind (a replica that died between
# commit and publish, failures recorded by a replica): seldom, so it costs nothing while idle.
RELAY_POLL_SECONDS = 5.0
# Far longer than any redelivery (a requeued message, a retry: minutes at most), so a duplicate
# of a pruned event cannot arrive; short enough that the table stays small.
PROCESSED_RETENTION = timedelta(days=14)
PRUNE_INTERVAL_SECONDS = 3600.0
SUBSCRIPTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("correlation_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), index=True),
)

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("handler", sa.String(200), primary_key=True),
    # the relay prunes by it (``PROCESSED_RETENTION``); added after the services' first
    # migrations, so each service has a later one creating it where it is missing
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

event_failures = sa.Table(
    "event_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("handler", sa.String(200), nullable=False),
    sa.Column("envelope", sa.JSON, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # retrying | dead
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("event_id", "handler"),
)


def create_tables(connection: sa.Connection) -> None:
    """Called from each service's first migration: the messaging tables are the same everywhere."""
    metadata.create_all(connection)


def index_processed_at(connection: sa.Connection) -> None:
    """Called from a later migration of each service: the index on ``processed_at`` that its
    first migration created only if it ran after the index joined these tables."""
    _processed_at_index().create(connection, checkfirst=True)


def drop_processed_at_index(connection: sa.Connection) -> None:
    _processed_at_index().drop(connection)


def _processed_at_index() -> sa.Index:
    return next(index for index in processed_events.indexes
                if list(index.columns) == [processed_events.c.processed_at])


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    occurred_at: str
    data: dict[str, Any]
    correlation_id: str | None = None

    @classmethod
    def from_envelope(cls, body: dict[str, Any]) -> "Event":
        return cls(id=body["id"], type=body["type"], source=body["source"],
                   occurred_at=body["occurred_at"], data=body["data"],
                   correlation_id=body.get("correlation_id"))

    def envelope(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "source": self.source,
                "occurred_at": self.occurred_at, "data": self.data,
                "correlation_id": self.correlation_id}


def outbox_row(service: str, event_type: str, data: dict[str, Any],
               correlation_id: str | None) -> dict[str, Any]:
    moment = now()
    event = Event(id=str(uuid.uuid4()), type=event_type, source=service,
                  occurred_at=iso(moment), data=data, correlation_id=correlation_id)
    return {"id": event.id, "event_type": event_type, "payload": event.envelope(),
            "correlation_id": correlation_id, "created_at": moment}


def event_exchange(service: str) -> Exchange:
    return Exchange(f"{service}.events", type="topic", durable=True, delivery_mode=2)


def mark_processed(connection: sa.Connection, event_id: str, handler: str) -> None:
    from ponte.db import insert_ignoring_duplicates  # ponte.db imports this module
    insert_ignoring_duplicates(connection, processed_events, event_id=event_id, handler=handler,
                               processed_at=now())


def was_processed(connectable: sa.Engine | sa.Connection, event_id: str, handler: str) -> bool:
    query = sa.select(processed_events.c.event_id).where(
        processed_events.c.event_id == event_id, processed_events.c.handler == handler)
    if isinstance(connectable, sa.Connection):
        return connectable.execute(query).first() is not None
    with connectable.connect() as conn:
        return conn.execute(query).first() is not None


def handled_event(worker_ctx) -> tuple[str, str] | None:  # noqa: ANN001
    """(event id, handler) when the worker is running a reliable event handler."""
    if isinstance(worker_ctx.entrypoint, ReliableEventHandler):
        return worker_ctx.args[0].id, worker_ctx.entrypoint.subscription
    return None


class DuplicateDelivery(Exception):
    """The same event reached two workers at once; the other one committed its effect."""


class RetryLater(Exception):
    """A handler cannot do its work yet (something it needs has not arrived): it fails like any
    handler, is retried with backoff, and is logged as expected rather than as an error."""


class ReliableEventHandler(EventHandler):
    """A service-pool, durable event handler that receives an :class:`Event`, runs at most once
    per event id, and never drops an event whose handler failed. ``subscription`` names it for
    good: its queue and its records follow that name, never the method's."""

    def __init__(self, source_service: str, event_type: str, *, subscription: str,
                 **kwargs: Any) -> None:
        if not SUBSCRIPTION_NAME.fullmatch(subscription):
            raise ValueError(f"subscription name {subscription!r}: lower-case letters, digits "
                             f"and underscores, starting with a letter")
        self.subscription = subscription
        kwargs.setdefault("expected_exceptions", (DuplicateDelivery, RetryLater))
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL,
                         reliable_delivery=True, **kwargs)

    def setup(self) -> None:
        # nameko would name the queue after the method (EventHandler.setup); Consumer.setup
        # then builds the consumer of whatever queue is set.
        self.queue = subscription_queue(self.source_service, self.event_type,
                                        self.container.service_name, self.subscription)
        super(EventHandler, self).setup()

    @property
    def _database(self):  # noqa: ANN202
        from ponte.db import Database
        for dependency in self.container.dependencies:
            if isinstance(dependency, Database):
                return dependency
        raise RuntimeError(f"{self.container.service_name} handles events without a Database")

    def handle_message(self, body: dict[str, Any], message) -> None:  # noqa: ANN001
        try:
            event = Event.from_envelope(body)
        except (KeyError, TypeError):
            log.error("%s.%s dropped a message that is not an event envelope: %.500r",
                      self.container.service_name, self.subscription, body)
            self.consumer.ack_message(message)
            return
        try:
            seen = was_processed(self._database.engine, event.id, self.subscription)
        except sa.exc.SQLAlchemyError:
            log.warning("database unreachable; event %s goes back to the queue", event.id)
            eventlet.sleep(1)  # do not spin on redelivery while the database is away
            self.consumer.requeue_message(message)
            return
        if seen:
            self.consumer.ack_message(message)
            return

        def on_result(worker_ctx, result, exc_info):  # noqa: ANN001, ANN202
            try:
                self._database.relay.settle(event, self.subscription, exc_info)
            except Exception as exc:
                if database_unreachable(exc):
                    log.warning("could not record the outcome of %s, the database is away (%s);"
                                " requeued", self.subscription, first_line(exc))
                else:
                    log.exception("could not record the outcome of %s; requeued",
                                  self.subscription)
                self.consumer.requeue_message(message)
            else:
                self.consumer.ack_message(message)
            return result, exc_info

        def spawn() -> None:
            try:
                self.container.spawn_worker(self, (event,), {}, context_data={
                    "correlation_id": event.correlation_id or event.id}, handle_result=on_result)
            except ContainerBeingKilled:
                self.consumer.requeue_message(message)

        self.container.spawn_managed_thread(spawn, identifier=f"event:{self.subscription}")


handles = ReliableEventHandler.decorator


def subscription_queue(source: str, event_type: str, consumer: str, subscription: str) -> Queue:
    """The durable queue of one subscription, bound to the source's exchange."""
    return Queue(f"evt-{source}-{event_type}--{consumer}.{subscription}",
                 exchange=event_exchange(source), routing_key=event_type, durable=True,
                 auto_delete=False, exclusive=False)


def subscriptions(service_classes: Iterable[type]) -> list[tuple[str, str, str, str]]:
    """Every (source service, event type, consumer service, subscription) declared with
    :func:`handles`."""
    found = []
    for cls in service_classes:
        for name in dir(cls):
            for entrypoint in getattr(getattr(cls, name, None), ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, ReliableEventHandler):
                    found.append((entrypoint.source_service, entrypoint.event_type, cls.name,
                                  entrypoint.subscription))
    return found


def subscriber_queues(source: str) -> list[Queue]:
    from ponte.runtime import service_classes
    return [subscription_queue(src, etype, consumer, subscription)
            for src, etype, consumer, subscription in subscriptions(service_classes().values())
            if src == source]


class Relay:
    """Publishes a container's outbox and replays its failed event handlers."""

    def __init__(self, container, engine: sa.Engine) -> None:  # noqa: ANN001
        self.container = container
        self.service = container.service_name
        self.engine = engine
        self._wake = threading.Event()
        self._stopping = False
        self._connection: Connection | None = None
        self._next_retry: float | None = None  # monotonic time of the earliest retry known

    def start(self) -> None:
        self._stopping = False
        self.container.spawn_managed_thread(self._run, identifier=f"relay:{self.service}")

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._connection is not None:
            self._connection.release()
            self._connection = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        next_prune = 0.0
        while not self._stopping:
            try:
                self.publish_pending()
                self.retry_due()
                if time.monotonic() >= next_prune:
                    self.prune_processed()
                    next_prune = time.monotonic() + PRUNE_INTERVAL_SECONDS
            except Exception as exc:
                if database_unreachable(exc) or isinstance(exc, BROKER_AWAY):
                    log.warning("relay of %s waits: %s", self.service, first_line(exc))
                else:
                    log.exception("relay of %s failed; retrying", self.service)
                self._connection = None
            self._wake.wait(self._sleep())
            self._wake.clear()

    def _sleep(self) -> float:
        """Until the next poll, or sooner when a retry this relay scheduled falls due."""
        if self._next_retry is None:
            return RELAY_POLL_SECONDS
        left = self._next_retry - time.monotonic()
        if left <= 0:
            self._next_retry = None
            return 0.0
        return min(left, RELAY_POLL_SECONDS)

    def _retry_in(self, delay: timedelta) -> None:
        due = time.monotonic() + delay.total_seconds()
        if self._next_retry is None or due < self._next_retry:
            self._next_retry = due
            self._wake.set()  # recompute the sleep

    def _producer(self):  # noqa: ANN202
        if self._connection is None:
            self._connection = Connection(nameko_config["AMQP_URI"],
                                          transport_options={"confirm_publish": True})
            self._declare = [event_exchange(self.service), *subscriber_queues(self.service)]
        return self._connection.Producer(serializer="json")

    def publish_pending(self) -> int:
        published = 0
        while not self._stopping:
            with self.engine.begin() as conn:
                rows = conn.execute(
                    sa.select(outbox.c.seq, outbox.c.event_type, outbox.c.payload,
                              outbox.c.correlation_id)
                    .where(outbox.c.published_at.is_(None)).order_by(outbox.c.seq).limit(100)
                    .with_for_update(skip_locked=True)).all()
                if not rows:
                    return published
                producer = self._producer()
                for row in rows:
                    producer.publish(
                        row.payload, exchange=event_exchange(self.service),
                        routing_key=row.event_type, declare=self._declare, delivery_mode=2,
                        headers={"nameko.correlation_id": row.correlation_id or ""},
                        retry=True, retry_policy={"max_retries": 3})
                conn.execute(outbox.update().where(outbox.c.seq.in_([r.seq for r in rows]))
                             .values(published_at=now()))
                published += len(rows)
        return published

    def prune_processed(self, retention: timedelta = PROCESSED_RETENTION) -> int:
        """Forget events processed longer ago than ``retention``: by then no redelivery of them
        can still be on its way."""
        with self.engine.begin() as conn:
            pruned = conn.execute(processed_events.delete().where(
                processed_events.c.processed_at < now() - retention)).rowcount
        if pruned:
            log.info("pruned %d processed event(s) of %s", pruned, self.service)
        return pruned

    def settle(self, event: Event, handler: str, exc_info) -> None:  # noqa: ANN001
        """Record a handler's outcome: processed, or failed and due for another attempt."""
        with self.engine.begin() as conn:
            if exc_info is None or was_processed(conn, event.id, handler):
                # success, or a concurrent duplicate whose twin already committed the effect
                mark_processed(conn, event.id, handler)
                conn.execute(event_failures.delete().where(
                    event_failures.c.event_id == event.id, event_failures.c.handler == handler))
                return
            error = "".join(traceback.format_exception(*exc_info))[-4000:]
            row = conn.execute(sa.select(event_failures).where(
                event_failures.c.event_id == event.id,
                event_failures.c.handler == handler)).mappings().first()
            attempts = (row["attempts"] if row else 0) + 1
            values = {"attempts": attempts, "last_error": error,
                      "status": "dead" if attempts >= MAX_ATTEMPTS else "retrying",
                      "next_attempt_at": now() + backoff(attempts)}
            if attempts < MAX_ATTEMPTS:
                self._retry_in(backoff(attempts))
            if row:
                conn.execute(event_failures.update().where(event_failures.c.id == row["id"])
                             .values(**values))
            else:
                conn.execute(event_failures.insert().values(
                    event_id=event.id, handler=handler, envelope=event.envelope(),
                    created_at=now(), **values))
            log.warning("handler %s.%s failed on event %s (attempt %d)%s", self.service, handler,
                        event.id, attempts, "; parked as dead" if attempts >= MAX_ATTEMPTS else "")

    def retry_due(self) -> int:
        """Run failed handlers whose backoff has passed (claimed with a lease, so replicas on
        PostgreSQL do not run the same one twice)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(event_failures).where(event_failures.c.status == "retrying",
                                                event_failures.c.next_attempt_at <= now())
                .limit(20).with_for_update(skip_locked=True)).mappings().all()
            for row in rows:
                conn.execute(event_failures.update().where(event_failures.c.id == row["id"])
                             .values(next_attempt_at=now() + timedelta(minutes=5)))
        entrypoints = {e.subscription: e for e in self.container.entrypoints
                       if isinstance(e, ReliableEventHandler)}
        for row in rows:
            entrypoint = entrypoints.get(row["handler"])
            if entrypoint is None:
                continue
            event = Event.from_envelope(row["envelope"])
            if was_processed(self.engine, event.id, row["handler"]):
                self.settle(event, row["handler"], None)
                continue
            self.container.spawn_worker(
                entrypoint, (event,), {}, context_data={"correlation_id": event.correlation_id},
                handle_result=self._settles(event, row["handler"]))
        return len(rows)

    def _settles(self, event: Event, handler: str):  # noqa: ANN202
        """A worker's result handler that records the outcome of a retried run."""
        def handle_result(worker_ctx, result, exc_info):  # noqa: ANN001, ANN202
            self.settle(event, handler, exc_info)
            return result, exc_info
        return handle_result


def replay_dead(engine: sa.Engine, failure_id: int | None = None) -> int:
    """Put dead handler runs back in the retry queue (all, or one by id)."""
    query = event_failures.update().where(event_failures.c.status == "dead")
    if failure_id is not None:
        query = query.where(event_failures.c.id == failure_id)
    with engine.begin() as conn:
        return conn.execute(query.values(status="retrying", attempts=0,
                                         next_attempt_at=now())).rowcount
