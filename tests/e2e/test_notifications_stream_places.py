"""A stream's place under the per-account cap: a closed stream frees it within seconds, with
heartbeats at their default of 15 s (the server used to notice a closed connection only at the
second heartbeat after it, up to 30 s of 429 for a client reconnecting), and a stream ticket
refused for the cap (429) is not spent."""
from __future__ import annotations

import pytest

from tests.conftest import RUNTIMES
from tests.e2e.notifications_helpers import EventStream, People, running_stack
from tests.stack import wait_until

API = "/api/v1"
FREED_WITHIN_SECONDS = 5


@pytest.fixture(scope="module", params=RUNTIMES)
def stack(request, tmp_path_factory):
    yield from running_stack(request.param, tmp_path_factory, PONTE_STREAMS_PER_ACCOUNT="1")


@pytest.fixture(scope="module")
def people(stack):
    return People(stack.client, stack.mail)


def _opened(stack, opened: list[EventStream], **credential: str):
    """A try at opening a stream: True (kept in ``opened``) when it is open."""
    def attempt() -> bool:
        stream = EventStream(stack.client.base_url, **credential)
        if stream.response.status_code == 200:
            opened.append(stream)
            return True
        assert stream.response.status_code == 429, stream.response.text
        stream.close()
        return False
    return attempt


def test_a_closed_stream_frees_its_place_within_seconds(stack, people):
    ana = people.secretary("Ana Fecha")
    opened: list[EventStream] = []
    try:
        assert _opened(stack, opened, token=ana["token"])()
        wait_until(lambda: opened[0].comments, 10, 0.05, "the subscription comment")
        assert not _opened(stack, opened, token=ana["token"])()  # the cap is 1
        opened.pop().close()
        wait_until(_opened(stack, opened, token=ana["token"]), FREED_WITHIN_SECONDS, 0.25,
                   "the closed stream's place")
    finally:
        for stream in opened:
            stream.close()


def test_a_ticket_refused_for_the_cap_stays_usable(stack, people):
    bia = people.secretary("Bia Espera")
    opened: list[EventStream] = []
    try:
        assert _opened(stack, opened, token=bia["token"])()
        answer = stack.client.post(f"{API}/notifications/stream-tickets", token=bia["token"])
        assert answer.status_code == 201, answer.text
        ticket = answer.json()["ticket"]
        assert not _opened(stack, opened, ticket=ticket)()  # 429: the cap is 1
        assert not _opened(stack, opened, ticket=ticket)()  # and still not spent
        opened.pop().close()
        wait_until(_opened(stack, opened, ticket=ticket), FREED_WITHIN_SECONDS, 0.25,
                   "the stream opened with the ticket refused before")
        used = EventStream(stack.client.base_url, ticket=ticket)
        assert used.response.status_code == 401  # now it is spent
        used.close()
    finally:
        for stream in opened:
            stream.close()
