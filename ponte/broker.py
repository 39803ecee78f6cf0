"""The in-process broker used by the all-in-one mode.

kombu's ``memory://`` transport needs two fixes to carry nameko: its messages keep
``content_type`` outside ``properties`` (nameko's RPC responder reads it from there), and it
polls: every consumer sleeps ``polling_interval`` between empty looks at its queues (1 s by
default, which would make every RPC take about a second; 5 ms, which costs a tenth of a core
while idle). Here consumers instead wait until something they could receive happens — a message
put in any queue, or one acknowledged or rejected (which frees a prefetch slot) — so a request is
delivered at once and an idle process does not spin. Importing this module registers the fixed
transport under the ``memory`` alias.

kombu keeps one memory broker per process whatever the URL says; here each address
(``memory://<name>/<virtual host>``) is a broker of its own, with its own exchanges, queues and
wake-ups, as two RabbitMQ hosts would be. A test that runs services on ``memory://<unique>``
then shares nothing with any other: before, a queue declared (and left filling) by one test was
consumed by the next one's service, which worked off that backlog first.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from queue import Empty, Queue
from time import monotonic
from typing import Any

import kombu.transport
from kombu.transport import memory, virtual

# A consumer re-checks its queues at least this often even if no wake-up came (a safety net:
# every path that makes a message receivable announces it).
MAX_WAIT_SECONDS = 1.0


class _Arrivals:
    """Wakes every waiting consumer. A consumer takes ``current()`` *before* looking at its
    queues, so a message put after the look sets the event it then waits on."""

    def __init__(self) -> None:
        self._event = threading.Event()  # green once eventlet has patched threading

    def current(self) -> threading.Event:
        return self._event

    def announce(self) -> None:
        event, self._event = self._event, threading.Event()
        event.set()


@dataclass
class _Broker:
    """One in-process broker: exchanges and bindings (kombu's state), queues, wake-ups."""

    state: virtual.BrokerState = field(default_factory=virtual.BrokerState)
    queues: dict[str, Queue] = field(default_factory=dict)
    arrivals: _Arrivals = field(default_factory=_Arrivals)


_brokers: dict[tuple[str, str], _Broker] = {}


def broker(hostname: str | None, virtual_host: str | None) -> _Broker:
    """The broker at ``memory://<hostname>/<virtual_host>``, made on first use; ``memory://``
    is ``memory://localhost/`` (kombu fills the host in on some connections, not on others)."""
    return _brokers.setdefault((hostname or "localhost", virtual_host or "/"), _Broker())


def queues(url: str) -> dict[str, Queue]:
    """The queues declared on the broker at ``url`` (for tests)."""
    from kombu import Connection
    connection = Connection(url)
    return broker(connection.hostname, connection.virtual_host).queues


class _Message(virtual.Message):
    def __init__(self, payload, channel=None, **kwargs):
        super().__init__(payload, channel=channel, **kwargs)
        self.properties.setdefault("content_type", self.content_type)


class _Channel(memory.Channel):
    Message = _Message

    @property
    def queues(self) -> dict[str, Queue]:  # kombu's is one dict for the whole process
        return self.connection.broker.queues

    def close(self) -> None:
        virtual.Channel.close(self)  # kombu's would replace ``queues``; they outlive a channel

    def _put(self, queue, message, **kwargs):
        super()._put(queue, message, **kwargs)
        self.connection.broker.arrivals.announce()

    def _put_fanout(self, exchange, message, routing_key=None, **kwargs):
        super()._put_fanout(exchange, message, routing_key, **kwargs)
        self.connection.broker.arrivals.announce()

    def basic_ack(self, delivery_tag, multiple=False):
        super().basic_ack(delivery_tag, multiple)
        self.connection.broker.arrivals.announce()

    def basic_reject(self, delivery_tag, requeue=False):
        super().basic_reject(delivery_tag, requeue)
        self.connection.broker.arrivals.announce()


class Transport(memory.Transport):
    Channel = _Channel
    polling_interval = None

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        self.broker = broker(client.hostname, client.virtual_host)
        self.state = self.broker.state

    def drain_events(self, connection, timeout=None):
        """Deliver one message, waiting for one to arrive up to ``timeout`` seconds."""
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            arrived = self.broker.arrivals.current()
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                left = MAX_WAIT_SECONDS if deadline is None else deadline - monotonic()
                if left <= 0:
                    raise TimeoutError() from None
                arrived.wait(min(left, MAX_WAIT_SECONDS))


kombu.transport.TRANSPORT_ALIASES["memory"] = f"{__name__}:Transport"
