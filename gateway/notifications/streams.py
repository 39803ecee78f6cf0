"""Server-Sent Events for the inbox, without holding a request worker.

The stream route authenticates, subscribes and returns at once: its answer is a werkzeug
``Response`` whose body is a generator fed by an eventlet queue. The nameko worker ends there;
eventlet's WSGI server iterates the body in the connection's own green thread, so an open stream
costs a green thread and a queue, not one of the container's workers.

Every gateway receives the notifications service's ``notifications_created`` broadcast and hands
each item to the streams of its account open in this process (:meth:`StreamHub.publish`); a
stream on another gateway gets it from that gateway's copy of the broadcast. Nothing is kept
here: a client that reconnects with ``Last-Event-ID`` gets what it missed from the inbox.

Frames (text/event-stream): a comment as soon as the subscription is in place, then one at least
every ``PONTE_STREAM_HEARTBEAT_SECONDS`` (15 s at most), and each notification as::

    id: <notification id>
    event: notification
    data: {"id": ..., "type": ..., "title": ..., "body": ..., "link": ..., ...}

A stream lasts as long as the access token it was opened with (for a ticket, the token that
asked for the ticket) and closes at once when its session is revoked (``sessions_revoked``); the
client reconnects with a fresh credential and ``Last-Event-ID``. Open streams are capped per
account (``PONTE_STREAMS_PER_ACCOUNT``) and per process (``PONTE_STREAMS_PER_PROCESS``); over
either, the answer is 429 with ``Retry-After``.

A client that goes away frees its place at once: a green thread per stream waits on the
connection (peeking, never reading) and ends the stream when the client closes it. Writing
alone would notice only at the second heartbeat after the close (the first write still
succeeds), up to 30 s during which a reconnecting client was refused with 429.
"""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import eventlet
from eventlet.queue import Empty, Full, LightQueue
from nameko.extensions import DependencyProvider
from prometheus_client import Gauge

from ponte.config import settings
from ponte.errors import TooManyAttempts

log = logging.getLogger(__name__)

OPEN_STREAMS = Gauge("ponte_notification_streams_open", "Notification streams open here")
QUEUE_SIZE = 1000  # items waiting for a slow client; beyond, it is dropped and must resume
RETRY_AFTER_SECONDS = 30
_CLOSE = object()


@dataclass(eq=False)
class Subscription:
    account_id: str
    session_id: str | None = None
    until: float | None = None  # epoch seconds: when the credential it was opened with expires
    queue: LightQueue = field(default_factory=lambda: LightQueue(QUEUE_SIZE))


class StreamHub(DependencyProvider):
    """The streams open in this gateway process, by account."""

    def setup(self) -> None:
        config = settings()
        self.per_account = config.streams_per_account
        self.per_process = config.streams_per_process
        self.heartbeat = config.stream_heartbeat_seconds
        self._streams: dict[str, set[Subscription]] = defaultdict(set)
        self._count = 0
        self._lock = threading.Lock()

    def get_dependency(self, worker_ctx) -> StreamHub:  # noqa: ANN001
        return self

    def stop(self) -> None:
        """Closing the process: every stream ends, so its client reconnects elsewhere."""
        with self._lock:
            subscriptions = [s for group in self._streams.values() for s in group]
        for subscription in subscriptions:
            self._offer(subscription, _CLOSE)

    @property
    def open_streams(self) -> int:
        return self._count

    def subscribe(self, account_id: str, session_id: str | None = None,
                  until: float | None = None) -> Subscription:
        with self._lock:
            if self._count >= self.per_process:
                raise TooManyAttempts("This server has as many open streams as it takes; try "
                                      "again later or elsewhere.",
                                      retry_after=RETRY_AFTER_SECONDS)
            if len(self._streams[account_id]) >= self.per_account:
                raise TooManyAttempts(f"At most {self.per_account} streams may be open for one "
                                      "account; close one first.",
                                      retry_after=RETRY_AFTER_SECONDS)
            subscription = Subscription(account_id, session_id, until)
            self._streams[account_id].add(subscription)
            self._count += 1
        OPEN_STREAMS.inc()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            group = self._streams.get(subscription.account_id)
            if group is None or subscription not in group:
                return
            group.discard(subscription)
            if not group:
                del self._streams[subscription.account_id]
            self._count -= 1
        OPEN_STREAMS.dec()

    def revoke(self, session_ids: Iterable[str]) -> int:
        """Sessions that ended (logout, password change, deletion): their streams close now."""
        ended = set(session_ids)
        with self._lock:
            closing = [s for group in self._streams.values() for s in group
                       if s.session_id in ended]
        for subscription in closing:
            self._offer(subscription, _CLOSE)
        return len(closing)

    def publish(self, account_id: str, notification: dict) -> int:
        """Hand a new item to every stream of the account open here; how many took it."""
        with self._lock:
            subscriptions = list(self._streams.get(account_id, ()))
        return sum(self._offer(s, notification) for s in subscriptions)

    @staticmethod
    def _offer(subscription: Subscription, item: object) -> bool:
        try:
            subscription.queue.put_nowait(item)
            return True
        except Full:
            # a client this far behind resumes from the inbox with Last-Event-ID
            log.warning("stream of %s fell behind; closing it", subscription.account_id)
            subscription.queue = LightQueue(1)
            subscription.queue.put_nowait(_CLOSE)
            return False

    def frames(self, subscription: Subscription, replayed: Iterable[dict],
               connection: int | None = None) -> Iterator[bytes]:
        """The body of a stream response; unsubscribes when the client goes away (at once when
        ``connection``, the file descriptor of its socket, is given)."""
        client = _duplicate(connection)
        watcher = eventlet.spawn(self._watch, subscription, client) if client else None
        try:
            yield b": subscribed\n\n"
            delivered: set[str] = set()
            for item in replayed:
                delivered.add(item["id"])
                yield frame(item)
            while True:
                wait = self.heartbeat
                if subscription.until is not None:
                    left = subscription.until - time.time()
                    if left <= 0:  # the token or ticket's session credential has expired
                        return
                    wait = min(wait, left)
                try:
                    item = subscription.queue.get(timeout=wait)
                except Empty:
                    yield b": keep-alive\n\n"
                    continue
                if item is _CLOSE:
                    return
                if item["id"] in delivered:  # replayed and broadcast at the same time
                    continue
                yield frame(item)
        finally:
            if watcher is not None:
                watcher.kill()
                client.close()
            self.unsubscribe(subscription)

    def _watch(self, subscription: Subscription, client: socket.socket) -> None:
        """Close the stream when its client closes the connection. A client sends nothing on a
        stream; one that does is left to the heartbeats."""
        try:
            if client.recv(1, socket.MSG_PEEK):
                return
        except OSError:
            pass
        self._offer(subscription, _CLOSE)


def connection_of(environ: Mapping[str, Any]) -> int | None:
    """The file descriptor of the request's connection (eventlet's WSGI server), else None."""
    source = getattr(environ.get("eventlet.input"), "rfile", None)
    try:
        return source.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _duplicate(connection: int | None) -> socket.socket | None:
    """A socket of its own on the connection, to wait on without touching the server's."""
    if connection is None:
        return None
    try:
        return socket.fromfd(connection, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return None


def frame(notification: dict) -> bytes:
    data = json.dumps(notification, ensure_ascii=False, separators=(",", ":"))
    return f"id: {notification['id']}\nevent: notification\ndata: {data}\n\n".encode()
