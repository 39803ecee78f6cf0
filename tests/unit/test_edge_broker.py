"""A broker outage at the gateway: every call is a 503 with Retry-After within the RPC
deadline, never a 500 and never a hang (kombu raises from the publish, or retries it)."""
from __future__ import annotations

import time

import eventlet
import pytest
from amqp.exceptions import ConnectionForced
from kombu.exceptions import OperationalError

from gateway.problems import problem_response
from ponte.errors import ServiceUnavailable
from ponte.rpc import RemoteCall


class _Method:
    def __init__(self, behaviour) -> None:
        self.call_async = behaviour


class _Client:
    def __init__(self, behaviour) -> None:
        self.behaviour = behaviour

    def __getattr__(self, service):
        return type("Proxy", (), {"__getattr__": lambda _s, _m: _Method(self.behaviour)})()


def _refused(*args, **kwargs):
    raise OperationalError("[Errno 111] ECONNREFUSED")


def _forced(*args, **kwargs):
    raise ConnectionForced("broker shutting down")


def _reset(*args, **kwargs):
    raise ConnectionResetError(104, "Connection reset by peer")


def _retrying(*args, **kwargs):  # kombu retrying the publish with back-off
    eventlet.sleep(60)


@pytest.mark.parametrize("behaviour", [_refused, _forced, _reset, _retrying],
                         ids=["refused", "forced", "reset", "retrying"])
def test_a_broker_outage_is_503_with_retry_after_within_the_deadline(behaviour):
    forgotten = []
    call = RemoteCall(_Client(behaviour), 0.5, lambda cid=None: forgotten.append(cid))
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        call("identity", "login", "a@b.test", "x")
    assert time.monotonic() - started < 1.0
    assert forgotten  # the reply slot nobody will fill is dropped
    answer = problem_response(caught.value)
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0


def test_the_reply_wait_uses_what_is_left_of_the_deadline():
    class Reply:
        correlation_id = "c1"

        def result(self):
            eventlet.sleep(60)

    def slow_publish(*args, **kwargs):
        eventlet.sleep(0.3)
        return Reply()

    call = RemoteCall(_Client(slow_publish), 0.5, lambda cid=None: None)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        call("identity", "login")
    assert time.monotonic() - started < 0.7
