"""Group commit for event handlers: while a container's batch workers are busy, the events its
:func:`~ponte.messaging.handlers.handles` entrypoints receive wait here, and the next free
worker takes up to ``size`` of them in one call of the method marked :func:`batches` (one
transaction for all, their ``processed_events`` rows in it). An event that arrives while a
worker is free runs alone through its own handler, as without batching, so a quiet service
answers as fast as before.

A batch that fails runs again event by event through each one's own handler: a bad event fails
alone and is retried with backoff as any handler's, and the rest commit on their own.
Exactly-once holds as for single events: the batch's effects and every ``processed_events``
row commit together, and its messages are acknowledged only after that commit."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NamedTuple

import eventlet
from eventlet.queue import LightQueue
from eventlet.semaphore import Semaphore
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import Entrypoint

from ponte.messaging.outbox import Event

if TYPE_CHECKING:
    from ponte.messaging.handlers import ReliableEventHandler

log = logging.getLogger(__name__)

SIZE = 50
"""The most events one batch takes."""
WORKERS = 2
"""Batch workers running at once; events wait while all are busy, which makes batches."""


class Batched(NamedTuple):
    """One event of a batch and the subscription it was delivered to."""

    event: Event
    subscription: str


class _Delivered(NamedTuple):
    handler: ReliableEventHandler
    event: Event
    message: Any


class EventBatches(Entrypoint):
    """The entrypoint of a service method that takes ``list[Batched]``: its container's reliable
    event handlers hand it what they receive (:meth:`offer`)."""

    def __init__(self, size: int = SIZE, workers: int = WORKERS, **kwargs: Any) -> None:
        self.size = size
        self.workers = workers
        super().__init__(**kwargs)

    def setup(self) -> None:
        self._pending: LightQueue = LightQueue()
        self._slots = Semaphore(self.workers)

    def start(self) -> None:
        self.container.spawn_managed_thread(self._run, identifier="event-batches")

    def offer(self, handler: ReliableEventHandler, event: Event, message: Any) -> None:
        self._pending.put(_Delivered(handler, event, message))

    def _run(self) -> None:
        while True:
            self._slots.acquire()
            taken = [self._pending.get()]
            while len(taken) < self.size and not self._pending.empty():
                taken.append(self._pending.get_nowait())
            try:
                if len(taken) == 1:
                    one = taken[0]
                    one.handler.run_one(one.event, one.message, done=self._slots.release)
                else:
                    self._run_batch(taken)
            except Exception:  # never lose the loop: the messages go back to their queues
                log.exception("could not start a batch of %d event(s); requeued", len(taken))
                self._slots.release()
                for item in taken:
                    item.handler.consumer.requeue_message(item.message)
            eventlet.sleep(0)

    def _run_batch(self, taken: list[_Delivered]) -> None:
        from ponte.messaging.handlers import recorded

        def on_result(worker_ctx, result, exc_info):  # noqa: ANN001, ANN202
            self._slots.release()
            if exc_info is None and recorded(worker_ctx):
                for item in taken:
                    item.handler.consumer.ack_message(item.message)
            else:
                if exc_info is not None:
                    log.info("a batch of %d event(s) failed (%s); each runs on its own",
                             len(taken), exc_info[1].__class__.__name__)
                for item in taken:
                    item.handler.run_one(item.event, item.message)
            return result, exc_info

        batch = [Batched(item.event, item.handler.subscription) for item in taken]
        first = taken[0].event
        try:
            self.container.spawn_worker(self, (batch,), {}, context_data={
                "correlation_id": first.correlation_id or first.id}, handle_result=on_result)
        except ContainerBeingKilled:
            self._slots.release()
            for item in taken:
                item.handler.consumer.requeue_message(item.message)


batches = EventBatches.decorator


def batch_of(worker_ctx) -> list[Batched] | None:  # noqa: ANN001
    """The events a worker runs when it runs a batch."""
    if isinstance(worker_ctx.entrypoint, EventBatches):
        return list(worker_ctx.args[0])
    return None
