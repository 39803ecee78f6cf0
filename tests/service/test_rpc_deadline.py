"""RPC deadlines on the machine's real RabbitMQ: a service that is down answers
ServiceUnavailable within the timeout instead of hanging, and the request expires in the broker so
the service does not act on it when it comes back."""
from __future__ import annotations

import time
import uuid

import pytest
from eventlet.event import Event
from kombu import Connection
from nameko import config as nameko_config
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.testing.services import entrypoint_hook

from ponte.errors import ServiceUnavailable
from ponte.rpc import Services
from tests.stack import require_infrastructure

SLEEPY = f"sleepy_{uuid.uuid4().hex[:6]}"


class Sleepy:
    name = SLEEPY
    calls: list[str] = []

    @rpc
    def record(self, marker: str) -> str:
        Sleepy.calls.append(marker)
        return marker


class Caller:
    name = f"caller_{SLEEPY}"
    services = Services(timeout=1.0)

    @rpc
    def through(self, service: str, marker: str) -> str:
        return self.services(service, "record", marker)


@pytest.fixture(scope="module")
def broker():
    require_infrastructure("RabbitMQ")
    with nameko_config.patch({"AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/",
                              "serializer": "json"}):
        caller = ServiceRunner()
        caller.add_service(Caller)
        caller.start()
        yield caller
        caller.stop()


def _through(runner: ServiceRunner, service: str, marker: str) -> str:
    container = next(iter(runner.containers))
    with entrypoint_hook(container, "through") as through:
        return through(service, marker)


def test_a_stopped_service_gives_service_unavailable_within_the_deadline(broker):
    sleepy = ServiceRunner()
    sleepy.add_service(Sleepy)
    sleepy.start()
    assert _through(broker, SLEEPY, "warm-up") == "warm-up"
    sleepy.stop()  # its queue stays, with nobody consuming

    started = time.perf_counter()
    with pytest.raises(ServiceUnavailable):
        _through(broker, SLEEPY, "while-down")
    assert time.perf_counter() - started < 2.0

    sleepy = ServiceRunner()
    sleepy.add_service(Sleepy)
    sleepy.start()
    try:
        assert _through(broker, SLEEPY, "after") == "after"
        time.sleep(0.5)
        assert "while-down" not in Sleepy.calls, "an expired request was executed late"
    finally:
        sleepy.stop()


def test_an_unknown_service_fails_fast(broker):
    started = time.perf_counter()
    with pytest.raises(ServiceUnavailable):
        _through(broker, f"nobody_{uuid.uuid4().hex[:6]}", "x")
    assert time.perf_counter() - started < 1.5


def _reply_listener(runner: ServiceRunner):
    container = next(iter(runner.containers))
    return next(d for d in container.dependencies if isinstance(d, Services)).reply_listener


def test_a_timed_out_call_leaves_nothing_pending(broker):
    sleepy = ServiceRunner()
    sleepy.add_service(Sleepy)
    sleepy.start()
    sleepy.stop()
    with pytest.raises(ServiceUnavailable):
        _through(broker, SLEEPY, "never-answered")
    with pytest.raises(ServiceUnavailable):
        _through(broker, f"nobody_{uuid.uuid4().hex[:6]}", "unknown")
    assert _reply_listener(broker).pending == {}


def test_a_lost_reply_queue_fails_the_pending_calls_instead_of_the_service(broker):
    listener = _reply_listener(broker)
    waiter = Event()
    listener.pending["lost-call"] = waiter
    with Connection(nameko_config["AMQP_URI"]) as conn:
        listener.queue.bind(conn).delete()
    listener.check_for_lost_replies()  # nameko's own listener raises here and kills the service
    with pytest.raises(ServiceUnavailable):
        waiter.wait()
    assert listener.pending == {}
