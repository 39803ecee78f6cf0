"""The gateway's stream hub without a network: caps per account and per process, fan-out to an
account's streams only, frames, replay without repeats, revocation, expiry and a slow client."""
from __future__ import annotations

import socket
import time

import eventlet
import pytest

from gateway.notifications import streams
from gateway.notifications.streams import StreamHub, frame
from ponte import config
from ponte.errors import TooManyAttempts


@pytest.fixture
def hub(monkeypatch):
    monkeypatch.setenv("PONTE_STREAMS_PER_ACCOUNT", "2")
    monkeypatch.setenv("PONTE_STREAMS_PER_PROCESS", "3")
    monkeypatch.setenv("PONTE_STREAM_HEARTBEAT_SECONDS", "0.05")
    config.settings.cache_clear()
    running = StreamHub()
    running.setup()
    yield running
    config.settings.cache_clear()


def item(number: int) -> dict:
    return {"id": f"n-{number}", "type": "relationships.invitation_sent", "title": "T",
            "body": "B", "link": None, "created_at": "2026-12-01T12:00:00Z", "read_at": None}


def test_streams_beyond_the_account_or_process_cap_are_429(hub):
    first, _second = hub.subscribe("a"), hub.subscribe("a")
    with pytest.raises(TooManyAttempts) as refused:
        hub.subscribe("a")
    assert refused.value.status == 429 and refused.value.retry_after > 0
    hub.subscribe("b")
    with pytest.raises(TooManyAttempts):
        hub.subscribe("c")  # the process is full
    hub.unsubscribe(first)
    hub.unsubscribe(first)  # twice is harmless
    assert hub.open_streams == 2
    hub.subscribe("c")


def test_items_go_to_the_accounts_streams_only_and_replay_is_not_repeated(hub):
    mine, theirs = hub.subscribe("a"), hub.subscribe("b")
    body = hub.frames(mine, [item(1), item(2)])
    assert next(body) == b": subscribed\n\n"
    assert next(body) == frame(item(1)) and next(body) == frame(item(2))
    assert hub.publish("a", item(2)) == 1  # replayed and broadcast at once: sent once
    assert hub.publish("a", item(3)) == 1
    assert next(body) == frame(item(3))
    assert next(body) == b": keep-alive\n\n"
    assert theirs.queue.qsize() == 0
    body.close()  # the client went away
    assert hub.open_streams == 1


def test_a_frame_is_an_sse_event_with_the_notification_id():
    assert frame(item(7)).decode().splitlines()[:2] == ["id: n-7", "event: notification"]
    assert frame(item(7)).endswith(b"\n\n")
    assert frame({**item(8), "body": "linha 1\nlinha 2"}).count(b"\ndata: ") == 1


def test_revoked_sessions_and_expired_credentials_end_their_streams(hub):
    revoked = hub.subscribe("a", session_id="s-1")
    kept = hub.subscribe("a", session_id="s-2")
    assert hub.revoke(["s-1"]) == 1
    assert list(hub.frames(revoked, [])) == [b": subscribed\n\n"]
    assert hub.open_streams == 1 and kept.queue.qsize() == 0
    expiring = hub.subscribe("b", until=time.time() + 0.12)
    started = time.monotonic()
    assert list(hub.frames(expiring, []))[0] == b": subscribed\n\n"
    assert time.monotonic() - started < 1


def test_a_client_too_far_behind_is_closed_to_resume_from_the_inbox(hub, monkeypatch):
    monkeypatch.setattr(streams, "QUEUE_SIZE", 3)
    slow = hub.subscribe("a")
    delivered = [hub.publish("a", item(n)) for n in range(5)]
    assert delivered == [1, 1, 1, 0, 0]
    assert list(hub.frames(slow, [])) == [b": subscribed\n\n"]


def test_a_stream_whose_client_went_away_frees_its_place_at_once(hub, monkeypatch):
    monkeypatch.setattr(hub, "heartbeat", 15)  # the default: nothing written meanwhile
    server_side, client_side = socket.socketpair()
    subscription = hub.subscribe("a")
    body = hub.frames(subscription, [], server_side.fileno())
    assert next(body) == b": subscribed\n\n"
    rest = eventlet.spawn(list, body)  # the server waits for the next item or heartbeat
    eventlet.sleep(0.1)
    started = time.monotonic()
    client_side.close()
    assert rest.wait() == [] and hub.open_streams == 0
    assert time.monotonic() - started < 1
    server_side.close()


def test_a_client_that_speaks_on_its_stream_is_left_to_the_heartbeats(hub):
    server_side, client_side = socket.socketpair()
    body = hub.frames(hub.subscribe("a"), [], server_side.fileno())
    next(body)
    client_side.sendall(b"x")
    assert next(body) == b": keep-alive\n\n"  # still open
    body.close()
    assert hub.open_streams == 0
    client_side.close()
    server_side.close()
