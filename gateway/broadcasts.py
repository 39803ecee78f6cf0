"""Broadcasts the gateway takes in place: in the consumer that received them, with no nameko
worker.

A worker is a context, the injection of every dependency with its hooks, and two green threads;
the gateway spent them on every ``notifications_created`` (one per write that tells anyone),
and the broadcast waited for a free worker behind the HTTP requests (issue 21). What these
handlers do is hand data to this process's memory (open streams, revoked sessions, forgotten
grants): nothing that blocks or calls out, so the consumer's own green thread is enough.
"""
from __future__ import annotations

import logging
from typing import Any

from nameko.events import BROADCAST, EventHandler

log = logging.getLogger(__name__)


class InPlace(EventHandler):
    """A broadcast handled in its consumer's green thread. The method runs on one instance of
    the service, made when the entrypoint starts, holding only the dependencies named in
    ``uses``; each must give the same object to every worker (``get_dependency`` ignores the
    worker), as the gateway's in-memory ones do. The method must not block: while it runs,
    its queue waits."""

    def __init__(self, source_service: str, event_type: str, *, uses: tuple[str, ...],
                 **kwargs: Any) -> None:
        self.uses = uses
        super().__init__(source_service, event_type, handler_type=BROADCAST,
                         reliable_delivery=False, **kwargs)

    def setup(self) -> None:
        super().setup()
        # nameko declares a broadcast's queue durable, though it is exclusive to this process
        # and deleted with it: RabbitMQ then writes every persistent event routed to it to disk.
        # Nothing here outlives the process, so the queue is transient (the consumer declares
        # this same object when it starts).
        self.queue.durable = False

    def start(self) -> None:
        instance = self.container.service_cls()
        providers = {p.attr_name: p for p in self.container.dependencies}
        for name in self.uses:
            setattr(instance, name, providers[name].get_dependency(None))
        self._handle = getattr(instance, self.method_name)
        super().start()

    def handle_message(self, body: Any, message) -> None:  # noqa: ANN001
        try:
            self._handle(body)
        except Exception:
            log.exception("the %s broadcast %s could not be handled", self.source_service,
                          self.event_type)
        finally:
            self.consumer.ack_message(message)


in_place = InPlace.decorator
