"""Open streams do not take request workers: with more streams open than the gateway has
workers (nameko's ``max_workers`` is 200), ordinary API calls answer as fast as before, and one
new notification reaches every stream of its account."""
from __future__ import annotations

import statistics
import time

import eventlet
import pytest

from tests.conftest import RUNTIMES
from tests.e2e.notifications_helpers import EventStream, People, running_stack, wait_for_item
from tests.stack import wait_until

API = "/api/v1"
STREAMS = 250  # more than the gateway's 200 workers


@pytest.fixture(scope="module", params=RUNTIMES)
def stack(request, tmp_path_factory):
    yield from running_stack(request.param, tmp_path_factory,
                             PONTE_STREAMS_PER_ACCOUNT=str(STREAMS + 10))


def _latencies(client, token: str, calls: int = 40) -> list[float]:
    spent = []
    for _ in range(calls):
        started = time.perf_counter()
        answer = client.get(f"{API}/notifications", token=token, params={"limit": 5})
        spent.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return spent


def test_hundreds_of_open_streams_leave_api_calls_fast(stack, client):
    people = People(client, stack.mail)
    provider = people.provider("Clínica Muitos Fluxos")
    listener = people.secretary("Lia Escuta")
    _latencies(client, listener["token"], 10)  # warm up
    before = _latencies(client, listener["token"])

    pool = eventlet.GreenPool(50)
    streams = list(pool.imap(lambda _: EventStream(stack.client.base_url,
                                                   token=listener["token"]), range(STREAMS)))
    try:
        assert [s.response.status_code for s in streams] == [200] * STREAMS
        wait_until(lambda: all(s.comments for s in streams), 20, 0.1,
                   "every stream's subscription comment")
        during = _latencies(client, listener["token"])
        p50_before, p50_during = statistics.median(before), statistics.median(during)
        print(f"\nGET /notifications p50 {p50_before * 1000:.1f} ms with no stream, "
              f"{p50_during * 1000:.1f} ms with {STREAMS} streams open "
              f"(max {max(during) * 1000:.1f} ms)")
        assert p50_during < 3 * p50_before + 0.02
        assert max(during) < 1.0

        people.invite(provider, listener, ["billing"])
        [item] = wait_for_item(client, listener, "relationships.invitation_sent")
        wait_until(lambda: all(item["id"] in [n["id"] for n in s.notifications()]
                               for s in streams), 20, 0.1, "the item on every stream")
    finally:
        for stream in streams:
            stream.close()
