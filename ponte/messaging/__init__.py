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

Modules: :mod:`~ponte.messaging.tables` (the tables), :mod:`~ponte.messaging.outbox` (the
envelope and what a transaction writes), :mod:`~ponte.messaging.handlers` (subscriptions and
idempotent handlers), :mod:`~ponte.messaging.relay` (publishing, retries, pruning). The names
below are the package's public face; settings a test tunes (``RELAY_POLL_SECONDS``, ``backoff``)
live in :mod:`ponte.messaging.relay`.
"""
from ponte.messaging.handlers import (
                                      DuplicateDelivery,
                                      EventStore,
                                      ReliableEventHandler,
                                      RetryLater,
                                      handled_event,
                                      handles,
                                      record_committed,
                                      recorded,
                                      subscriber_queues,
                                      subscription_queue,
                                      subscriptions,
)
from ponte.messaging.outbox import Event, event_exchange, outbox_row
from ponte.messaging.relay import MAX_ATTEMPTS, PROCESSED_RETENTION, Relay, backoff, replay_dead
from ponte.messaging.tables import (
                                      create_tables,
                                      drop_processed_at_index,
                                      event_failures,
                                      index_processed_at,
                                      mark_processed,
                                      metadata,
                                      outbox,
                                      processed_events,
                                      was_processed,
)

__all__ = [
    "DuplicateDelivery", "Event", "EventStore", "MAX_ATTEMPTS", "PROCESSED_RETENTION", "Relay",
    "ReliableEventHandler", "RetryLater", "backoff", "create_tables", "drop_processed_at_index",
    "event_exchange", "event_failures", "handled_event", "handles", "index_processed_at",
    "mark_processed", "metadata", "outbox", "outbox_row", "processed_events", "record_committed",
    "recorded", "replay_dead", "subscriber_queues", "subscription_queue", "subscriptions",
    "was_processed",
]
