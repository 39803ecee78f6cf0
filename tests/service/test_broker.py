"""The in-process broker (``ponte/broker.py``): a consumer waiting for messages is woken the moment
one is published — no polling delay on a request — and an idle consumer does not spin."""
from __future__ import annotations

import socket
import time
import uuid

import eventlet
import pytest
from kombu import Connection, Exchange, Queue

import ponte.broker  # noqa: F401  registers the fixed in-process transport


@pytest.fixture
def queue():
    exchange = Exchange(f"x-{uuid.uuid4().hex[:6]}", type="direct")
    return Queue(f"q-{uuid.uuid4().hex[:6]}", exchange=exchange, routing_key="k")


def test_a_waiting_consumer_gets_a_message_at_once(queue):
    received = []
    with Connection("memory://") as consumer_conn, Connection("memory://") as producer_conn:
        with consumer_conn.Consumer([queue], callbacks=[lambda body, m: (
                received.append(time.monotonic()), m.ack())]):
            def publish_later() -> float:
                eventlet.sleep(0.2)
                producer_conn.Producer().publish({"n": 1}, exchange=queue.exchange,
                                                 routing_key="k", declare=[queue])
                return time.monotonic()

            publisher = eventlet.spawn(publish_later)
            consumer_conn.drain_events(timeout=5)
            sent = publisher.wait()
    assert len(received) == 1
    assert received[0] - sent < 0.05


def test_an_idle_consumer_waits_instead_of_polling(queue, monkeypatch):
    looks = []
    with Connection("memory://") as conn:
        channel = conn.default_channel
        original = type(channel)._get
        monkeypatch.setattr(type(channel), "_get",
                            lambda self, *a, **kw: (looks.append(1), original(self, *a, **kw))[1])
        with conn.Consumer([queue], callbacks=[lambda body, m: m.ack()]):
            started = time.monotonic()
            with pytest.raises(socket.timeout):
                conn.drain_events(timeout=1.5)
            waited = time.monotonic() - started
    assert waited >= 1.4
    # a poller at 5 ms would have looked ~300 times; a waiter looks once per wake-up (≤ 1 s)
    assert len(looks) <= 4


def test_an_acknowledgement_wakes_a_consumer_held_by_its_prefetch_limit(queue):
    """With one unacknowledged message at prefetch 1, the next delivery waits for the ack, and
    happens as soon as it comes."""
    delivered = []
    with Connection("memory://") as conn:
        conn.Producer().publish({"n": 1}, exchange=queue.exchange, routing_key="k",
                                declare=[queue])
        conn.Producer().publish({"n": 2}, exchange=queue.exchange, routing_key="k",
                                declare=[queue])
        with conn.Consumer([queue], callbacks=[lambda body, m: delivered.append(m)],
                           prefetch_count=1):
            conn.drain_events(timeout=1)
            acked_at = []

            def ack_later() -> None:
                eventlet.sleep(0.2)
                acked_at.append(time.monotonic())
                delivered[0].ack()

            eventlet.spawn(ack_later)
            conn.drain_events(timeout=5)
    assert len(delivered) == 2
    assert time.monotonic() - acked_at[0] < 0.5
