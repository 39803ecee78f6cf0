"""RPC deadlines on the machine's real RabbitMQ: a service that is down answers
ServiceUnavailable within the timeout instead of hanging, and the request expires in the broker so
the service does not act on it when it comes back."""
from __future__ import annotations

import time
import uuid

import pytest
from nameko import config as nameko_config
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from nameko.testing.services import entrypoint_hook

from ponte.errors import ServiceUnavailable
from ponte.rpc import Services
from tests.stack import infrastructure_missing

pytestmark = pytest.mark.skipif(bool(infrastructure_missing()),
                                reason=f"RabbitMQ: {infrastructure_missing()}")
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
