"""RPC to other services with a deadline.

nameko waits forever for a reply by default. :class:`Services` bounds every call: a service that
is down, unknown or too slow raises ``ServiceUnavailable`` (503 at the gateway) within
``PONTE_RPC_TIMEOUT`` seconds, and the request message expires in the broker at the same time so a
service coming back does not act on a request whose caller has already been told it failed.

Five patches of nameko 3.0.0rc11's RPC and message handling live here, each with a comment
saying why; ``tests/service/test_rpc_patches.py`` pins the nameko behaviour each relies on.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import eventlet
from eventlet.corolocal import local
from kombu import Connection
from nameko import config as nameko_config
from nameko.amqp.consume import Consumer
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_SSL_CONFIG_KEY, DEFAULT_TRANSPORT_OPTIONS, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import ReplyQueueExpiredWithPendingReplies, UnknownService
from nameko.rpc import ClusterRpc, ReplyListener, Responder, get_rpc_exchange

from ponte.config import settings
from ponte.errors import BROKER_AWAY, ServiceUnavailable

log = logging.getLogger(__name__)


class ResilientReplyListener(ReplyListener):
    """nameko's reply listener kills its whole container when, on reconnecting, it finds its
    reply queue gone while calls are pending. Here only those calls fail (ServiceUnavailable) and
    the listener carries on with a fresh queue."""

    # Patch 1 (why: one lost reply queue must not stop a whole service). nameko raises
    # ReplyQueueExpiredWithPendingReplies from here when, reconnecting, it finds its reply queue
    # gone with calls pending; that exception kills the container.
    def check_for_lost_replies(self) -> None:
        try:
            super().check_for_lost_replies()
        except ReplyQueueExpiredWithPendingReplies:
            lost, self.pending = self.pending, {}
            log.warning("reply queue lost with %d pending call(s); failing them", len(lost))
            for waiter in lost.values():
                waiter.send_exception(ServiceUnavailable(
                    "The reply to this call was lost; try again.", retry_after=1))

    def setup(self) -> None:
        super().setup()
        self._registering = local()

    # Patch 2 (why: ``pending`` must not grow with calls nobody waits for). nameko registers for
    # the reply before publishing, and keeps the registration when the publish fails (unknown
    # service) or the caller gives up (deadline); remembering the last id lets ``forget`` drop it.
    def register_for_reply(self, correlation_id: str):  # noqa: ANN201
        self._registering.last = correlation_id
        return super().register_for_reply(correlation_id)

    def forget(self, correlation_id: str | None = None) -> None:
        """Drop a call nobody waits for any more (by default the last one this green thread
        registered: nameko registers before publishing, then raises if nobody listens)."""
        self.pending.pop(correlation_id or getattr(self._registering, "last", None), None)


class _ReplyPublisher(Publisher):
    use_confirms = False
    # its own dict: nameko's Publisher.publish writes ``confirm_publish`` into this mapping,
    # and the class-level one is shared by every other publisher of the process
    transport_options = dict(DEFAULT_TRANSPORT_OPTIONS)


class _QuickResponder(Responder):
    publisher_cls = _ReplyPublisher


# Patch 4 (why: speed of every call). nameko's RpcConsumer.handle_result publishes each reply
# with a publisher confirm, waiting a broker round trip before acknowledging the request. A reply
# is not durable anyway (its queue is not), and a caller whose reply is lost gets
# ServiceUnavailable at its deadline, so the wait buys nothing. Everything else is nameko's:
# the same Responder (serialisation, errors) and the same acknowledgement after the publish.
def reply(rpc_consumer, message, result, exc_info):  # noqa: ANN001, ANN201
    """Send the reply to an RPC request and acknowledge it (``Rpc.handle_result``'s work)."""
    responder = _QuickResponder(rpc_consumer.amqp_uri, get_rpc_exchange(), message,
                                ssl=nameko_config.get(AMQP_SSL_CONFIG_KEY),
                                login_method=nameko_config.get(LOGIN_METHOD_CONFIG_KEY))
    try:
        result, exc_info = responder.send_response(result, exc_info)
    except BROKER_AWAY as exc:  # the caller is told ServiceUnavailable at its deadline
        log.warning("the reply to %s could not be sent, the message broker is away: %s",
                    message.properties.get("correlation_id"), exc)
    rpc_consumer.consumer.ack_message(message)
    return result, exc_info


# Patch 5 (why: a broker restart must not stop a service for good). nameko acknowledges or
# requeues a message only if its connection looks alive, and ignores amqp's ConnectionError
# there; but a broker that has just gone away (restart, reset) shows up as a socket error
# (BrokenPipeError, ConnectionResetError), which escapes to the worker's greenthread and
# kills the whole container: the process lives on, consuming nothing. Either way the broker
# takes the message back when the connection dies (an event is then skipped as processed, or
# retried), so a failed acknowledgement is only logged.
def _tolerant(settle: Callable, done: str) -> Callable:
    def settle_unless_broker_away(self: Consumer, message) -> None:  # noqa: ANN001
        try:
            settle(self, message)
        except BROKER_AWAY as exc:
            log.warning("a message could not be %s, the message broker is away (it takes "
                        "the message back): %s", done, exc)
    settle_unless_broker_away.patched = settle
    return settle_unless_broker_away


if not hasattr(Consumer.ack_message, "patched"):
    Consumer.ack_message = _tolerant(Consumer.ack_message, "acknowledged")
    Consumer.requeue_message = _tolerant(Consumer.requeue_message, "requeued")


class RemoteCall:
    def __init__(self, client, timeout: float,  # noqa: ANN001
                 forget: Callable[..., None]) -> None:
        self._client = client
        self._timeout = timeout
        self._forget = forget

    def __call__(self, service: str, method: str, *args: Any, timeout: float | None = None,
                 **kwargs: Any) -> Any:
        return self.start(service, method, *args, **kwargs).result(timeout)

    def start(self, service: str, method: str, *args: Any, **kwargs: Any) -> PendingCall:
        """Publish the call. A broker that is away (refused, reset, or retried by kombu past
        the deadline) is a ``ServiceUnavailable`` within the deadline, never an internal error
        or a hang."""
        deadline = time.monotonic() + self._timeout
        timer = eventlet.Timeout(self._timeout)
        try:
            reply = getattr(getattr(self._client, service), method).call_async(*args, **kwargs)
        except UnknownService:
            self._forget()
            raise ServiceUnavailable(f"The {service} service is not running.",
                                     retry_after=5) from None
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            self._forget()
            raise ServiceUnavailable("The message broker did not take the call in time.",
                                     retry_after=5) from None
        except BROKER_AWAY as exc:
            self._forget()
            log.warning("the message broker is not reachable: %s", exc)
            raise ServiceUnavailable("The message broker is not reachable right now.",
                                     retry_after=5) from None
        finally:
            timer.cancel()
        return PendingCall(service, reply, deadline, self._forget)


class PendingCall:
    def __init__(self, service: str, reply, deadline: float,  # noqa: ANN001
                 forget: Callable[[str], None]) -> None:
        self.service = service
        self._reply = reply
        self._deadline = deadline
        self._forget = forget

    def result(self, timeout: float | None = None) -> Any:
        """The answer, waiting at most ``timeout`` or what is left of the call's deadline."""
        timer = eventlet.Timeout(timeout or max(self._deadline - time.monotonic(), 0.001))
        try:
            return self._reply.result()
        except eventlet.Timeout as exc:
            if exc is not timer:
                raise
            self._forget(self._reply.correlation_id)  # a late reply has nobody to go to
            raise ServiceUnavailable(f"The {self.service} service did not answer in time.",
                                     retry_after=5) from None
        finally:
            timer.cancel()


class Services(ClusterRpc):
    """nameko dependency: ``self.call("identity", "login", ...)`` with the configured deadline."""

    reply_listener = ResilientReplyListener()

    def __init__(self, timeout: float | None = None, **options: Any) -> None:
        self.timeout = timeout
        super().__init__(expiration=timeout or settings().rpc_timeout, **options)

    def setup(self) -> None:
        super().setup()
        # Patch 3 (why: speed). nameko re-declares the reply queue before every request, and
        # kombu never caches the declaration of an expiring queue: three broker round trips per
        # call. Declared once here (before any request can be sent), then by the reply listener
        # on every reconnect.
        self.publisher.declare = []
        with Connection(self.amqp_uri) as connection:
            self.reply_listener.queue.bind(connection).declare()

    def get_dependency(self, worker_ctx) -> RemoteCall:  # noqa: ANN001
        return RemoteCall(super().get_dependency(worker_ctx),
                          self.timeout or settings().rpc_timeout,
                          self.reply_listener.forget)
