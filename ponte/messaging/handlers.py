"""Idempotent event handlers: :func:`handles` marks a handler and names its subscription, whose
durable queue and records follow that name; a delivered event takes effect at most once per
subscription and a failed run is handed to the relay to be retried.

"At most once" is the handler's transaction's: it commits the event's ``processed_events`` row
with the handler's changes (``ponte.db.WorkerDatabase.transaction``), and a second delivery of
the event fails on that row's key and rolls back (:class:`DuplicateDelivery`). A handler keeps
its effects in its transactions, as every service's skeleton does; nothing is read before a
worker starts (that read cost a round trip per event for the rare duplicate: issue 21)."""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import eventlet
import sqlalchemy as sa
from kombu import Queue
from nameko.events import SERVICE_POOL, EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR, DependencyProvider

from ponte.errors import database_unreachable, first_line
from ponte.messaging.outbox import Event, event_exchange

if TYPE_CHECKING:
    from ponte.messaging.relay import Relay

log = logging.getLogger(__name__)

SUBSCRIPTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")
AWAY_PAUSE_SECONDS = 1.0


class EventStore(DependencyProvider):
    """The dependency that keeps a service's events: its ``engine`` and its :class:`Relay`
    (``ponte.db.Database`` is the one in use). Handlers find it among the container's
    dependencies, so this package never imports the database layer."""

    engine: sa.Engine
    relay: Relay
    away_until = 0.0
    """Monotonic time until which handlers treat the database as away: an outcome could not be
    recorded a moment ago. Meanwhile each consumer holds its next event a second and puts it
    back, taking no worker: a worker pool full of events failing for that one reason would
    keep the service's RPCs (its health included) waiting long after the database is back."""


_RECORDED = "ponte_event_recorded"  # a worker context's attribute


def record_committed(worker_ctx) -> None:  # noqa: ANN001
    """The worker's own transaction committed its event's ``processed_events`` row, so its
    outcome needs no second transaction (:meth:`Relay.settle`)."""
    setattr(worker_ctx, _RECORDED, True)


def recorded(worker_ctx) -> bool:  # noqa: ANN001
    return bool(getattr(worker_ctx, _RECORDED, False))


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
    """A service-pool, durable event handler that receives an :class:`Event`, takes effect at
    most once per event id, and never drops an event whose handler failed. ``subscription``
    names it for good: its queue and its records follow that name, never the method's."""

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
    def _store(self) -> EventStore:
        for dependency in self.container.dependencies:
            if isinstance(dependency, EventStore):
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
        store = self._store
        if time.monotonic() < store.away_until:
            eventlet.sleep(AWAY_PAUSE_SECONDS)  # one try a second per queue while it is away
            self.consumer.requeue_message(message)
            return

        def on_result(worker_ctx, result, exc_info):  # noqa: ANN001, ANN202
            try:
                if exc_info is not None or not recorded(worker_ctx):
                    store.relay.settle(event, self.subscription, exc_info)
            except Exception as exc:
                if database_unreachable(exc):
                    log.warning("could not record the outcome of %s, the database is away (%s);"
                                " requeued", self.subscription, first_line(exc))
                    store.away_until = time.monotonic() + AWAY_PAUSE_SECONDS
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
