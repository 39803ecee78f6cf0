"""``ponte/rpc.py`` changes how nameko's RPC and message handling behave in five places. Each test
here pins the nameko behaviour one of them relies on, so upgrading nameko past a change in it fails
here first, and checks that the patch still does its job:

1. ``ResilientReplyListener.check_for_lost_replies``: nameko raises
   ``ReplyQueueExpiredWithPendingReplies`` (which kills the container) when its reply queue is
   gone with calls pending; Ponte fails only those calls.
2. ``ResilientReplyListener.register_for_reply``/``forget``: nameko registers for the reply
   *before* publishing the request, and leaves the registration behind when the publish fails
   (unknown service) or the caller stops waiting (deadline); Ponte forgets it.
3. ``Services.setup``: nameko's ``ClusterRpc`` re-declares exactly its reply queue before every
   request, reading ``publisher.declare`` at each publish; Ponte declares it once instead.
4. ``reply`` (used by ``ponte.service.rpc``): nameko publishes each reply through
   ``Responder.publisher_cls`` with a publisher confirm, then acknowledges the request; Ponte
   publishes it without waiting for the confirm, and a reply the broker cannot take (it went
   away) is logged instead of killing the container.
5. ``Consumer.ack_message``/``requeue_message``: nameko lets a socket error raised while
   acknowledging (a broker that has just gone away) escape, which kills the container; Ponte
   logs it (the broker takes the message back).
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from eventlet.event import Event
from kombu import Exchange, Queue
from kombu.exceptions import OperationalError
from nameko import config as nameko_config
from nameko.amqp.consume import Consumer
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.exceptions import ReplyQueueExpiredWithPendingReplies, UnknownService
from nameko.rpc import (
    RPC_REPLY_QUEUE_TTL,
    Client,
    ClusterRpc,
    ReplyListener,
    Responder,
    RpcCall,
    get_rpc_exchange,
    rpc,
)
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcClient

import ponte.broker  # registers the in-process transport
from ponte.errors import ServiceUnavailable
from ponte.rpc import ResilientReplyListener, Services, reply
from ponte.service import rpc as ponte_rpc
from tests.stack import require_infrastructure

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"


# 1. a lost reply queue ------------------------------------------------------------------------

def _listener(cls: type, pending: dict) -> ReplyListener:
    listener = cls()
    listener.queue = Queue(f"rpc.reply-ponte-test-{uuid.uuid4().hex}", exchange=get_rpc_exchange(),
                           routing_key="never-declared")
    listener.pending = pending
    return listener


@pytest.fixture
def rabbit():
    require_infrastructure("RabbitMQ")
    with nameko_config.patch({"AMQP_URI": RABBIT}):
        yield


def test_nameko_kills_the_listener_when_its_reply_queue_is_gone(rabbit):
    with pytest.raises(ReplyQueueExpiredWithPendingReplies):
        _listener(ReplyListener, {"cid": Event()}).check_for_lost_replies()


def test_ponte_fails_only_the_pending_calls(rabbit):
    waiter = Event()
    listener = _listener(ResilientReplyListener, {"cid": waiter})
    listener.check_for_lost_replies()  # no exception: the listener carries on
    assert listener.pending == {}
    with pytest.raises(ServiceUnavailable):
        waiter.wait()


# 2. registrations nobody waits for -------------------------------------------------------------

def test_nameko_registers_for_the_reply_before_publishing_and_keeps_it_on_failure():
    steps = []

    def register(correlation_id: str):
        steps.append(("register", correlation_id))
        return lambda: None

    def publish(*args, **kwargs):
        steps.append(("publish", kwargs["correlation_id"]))
        raise UndeliverableMessage()

    client = Client(publish, register, {})
    with pytest.raises(UnknownService):
        client.nobody.method.call_async()
    assert [step for step, _ in steps] == ["register", "publish"]
    assert steps[0][1] == steps[1][1]


def test_ponte_forgets_the_registration_left_behind():
    listener = ResilientReplyListener()
    listener.pending = {}
    listener.queue = object()  # what ReplyListener.setup would set; not used here
    from eventlet.corolocal import local
    listener._registering = local()
    listener.register_for_reply("first")
    listener.register_for_reply("second")
    listener.forget()  # the last one this green thread registered
    assert set(listener.pending) == {"first"}
    listener.forget("first")  # a call whose deadline passed
    assert listener.pending == {}


def test_an_rpc_call_exposes_the_correlation_id_and_result_ponte_uses():
    call = RpcCall("cid", lambda *a, **k: None, lambda: {"result": 5, "error": None})
    assert call.correlation_id == "cid"
    assert call.result() == 5


# 3. the reply queue declared once -----------------------------------------------------------

class _Echo:
    name = f"echo_{uuid.uuid4().hex[:6]}"

    @rpc
    def echo(self, value):  # noqa: ANN001, ANN201
        return value


class _PlainCaller:
    name = f"plain_{uuid.uuid4().hex[:6]}"
    cluster = ClusterRpc()

    @rpc
    def ping(self):  # noqa: ANN201
        return "pong"


class _PonteCaller:
    name = f"ponte_{uuid.uuid4().hex[:6]}"
    services = Services(timeout=2)

    @rpc
    def through(self, value):  # noqa: ANN001, ANN201
        return self.services(_Echo.name, "echo", value)


@pytest.fixture
def runner():
    with nameko_config.patch({"AMQP_URI": f"memory://rpc-{uuid.uuid4().hex[:6]}",
                              "serializer": "json"}):
        running = ServiceRunner()
        for cls in (_Echo, _PlainCaller, _PonteCaller):
            running.add_service(cls)
        running.start()
        yield running
        running.stop()


def _dependency(runner: ServiceRunner, service: str, cls: type):
    container = next(c for c in runner.containers if c.service_name == service)
    return next(d for d in container.dependencies if isinstance(d, cls))


def test_nameko_declares_exactly_its_reply_queue_before_every_request(runner):
    plain = _dependency(runner, _PlainCaller.name, ClusterRpc)
    assert plain.publisher.declare == [plain.reply_listener.queue]
    assert plain.reply_listener.queue.queue_arguments == {"x-expires": RPC_REPLY_QUEUE_TTL}


def test_nameko_reads_the_declarations_at_each_publish():
    exchange = Exchange(f"x-{uuid.uuid4().hex[:6]}", type="direct")
    first, second = (Queue(f"q-{uuid.uuid4().hex[:6]}", exchange=exchange, routing_key="k")
                     for _ in range(2))
    publisher = Publisher("memory://", declare=[first])
    publisher.declare = [second]
    publisher.publish({"n": 1}, exchange=exchange, routing_key="k")
    declared = ponte.broker.queues("memory://")
    assert second.name in declared and first.name not in declared


def test_ponte_declares_the_reply_queue_once_and_calls_still_work(runner):
    services = _dependency(runner, _PonteCaller.name, Services)
    assert services.publisher.declare == []
    assert services.reply_listener.queue.name in ponte.broker.queues(nameko_config["AMQP_URI"])
    container = next(c for c in runner.containers if c.service_name == _PonteCaller.name)
    from nameko.testing.services import entrypoint_hook
    with entrypoint_hook(container, "through") as through:
        assert through("hello") == "hello"


# 4. replies without a confirm wait ------------------------------------------------------------

class _PlainAnswer:
    name = f"plain_answer_{uuid.uuid4().hex[:6]}"

    @rpc
    def answer(self):  # noqa: ANN201
        return 42


class _PonteAnswer:
    name = f"ponte_answer_{uuid.uuid4().hex[:6]}"

    @ponte_rpc
    def answer(self):  # noqa: ANN201
        return 42


def _reply_publishes(service: type, monkeypatch) -> list[tuple[str, bool]]:
    """(publisher class, confirms) of each reply published while ``service`` answers once."""
    published = []
    original = Publisher.publish

    def spy(self, payload, **kwargs):  # noqa: ANN001, ANN202
        if isinstance(payload, dict) and set(payload) == {"result", "error"}:
            published.append((type(self).__name__, kwargs.get("use_confirms",
                                                                self.use_confirms)))
        return original(self, payload, **kwargs)

    monkeypatch.setattr(Publisher, "publish", spy)
    with nameko_config.patch({"AMQP_URI": f"memory://reply-{uuid.uuid4().hex[:6]}",
                              "serializer": "json"}):
        running = ServiceRunner()
        running.add_service(service)
        running.start()
        try:
            with ClusterRpcClient() as client:
                assert getattr(client, service.name).answer() == 42
        finally:
            running.stop()
    return published


def test_nameko_waits_for_a_confirm_of_each_reply(monkeypatch):
    assert _reply_publishes(_PlainAnswer, monkeypatch) == [("Publisher", True)]
    assert Responder.publisher_cls is Publisher


def test_ponte_replies_without_waiting_for_a_confirm(monkeypatch):
    assert _reply_publishes(_PonteAnswer, monkeypatch) == [("_ReplyPublisher", False)]


def test_a_reply_the_broker_cannot_take_does_not_raise(monkeypatch, caplog):
    def broker_gone(self, payload, **kwargs):  # noqa: ANN001, ANN202
        raise OperationalError("[Errno 111] ECONNREFUSED")

    monkeypatch.setattr(Publisher, "publish", broker_gone)
    acked = []
    consumer = SimpleNamespace(amqp_uri="memory://", consumer=SimpleNamespace(
        ack_message=acked.append))
    message = SimpleNamespace(properties={"reply_to": "x", "correlation_id": "c1",
                                          "content_type": "application/json"})
    assert reply(consumer, message, 42, None) == (42, None)
    assert acked == [message]
    assert "could not be sent" in caplog.text


# 5. acknowledging while the broker goes away --------------------------------------------------

class _BrokenPipeMessage:
    """A delivered message whose connection still looks alive, but whose socket is gone."""
    delivery_tag = 7
    channel = SimpleNamespace(connection=object())

    def ack(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    requeue = ack


@pytest.mark.parametrize("settle", ["ack_message", "requeue_message"])
def test_nameko_lets_a_socket_error_escape_from_an_acknowledgement(settle):
    with pytest.raises(BrokenPipeError):
        getattr(Consumer, settle).patched(Consumer("memory://"), _BrokenPipeMessage())


@pytest.mark.parametrize("settle", ["ack_message", "requeue_message"])
def test_ponte_logs_an_acknowledgement_the_broker_cannot_take(settle, caplog):
    getattr(Consumer("memory://"), settle)(_BrokenPipeMessage())
    assert "the message broker is away" in caplog.text
