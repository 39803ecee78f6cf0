"""Latency from a state change to the SSE frame at the client, distributed mode (RabbitMQ +
PostgreSQL, one process per component), beside the floor's RPC round trip in the same run.

The state change is an auditor's decision (POST /api/v1/authorization-requests/{id}/decision,
``authorizations.request_authorized`` on the provider's open stream) when the authorizations
service is in the tree, else a relationship's roles changed by the provider (PATCH
/api/v1/relationships/{id}, ``relationships.relationship_roles_changed`` on the secretary's
stream), which takes the same path: the service commits the change and its event in one
transaction, the outbox relay publishes it, the notifications service writes the inbox item and
broadcasts it, the gateway pushes the frame. Measured per event: from sending the change to
reading the frame (so it includes the change's own round trip, also reported alone).

Target (issue 10): p99 ≤ 250 ms. Run: ``.venv/bin/python bench/notifications_latency.py
[--events 200] [--change auto|decision|roles]``.
"""
from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load  # noqa: E402
from tests.e2e.notifications_helpers import People  # noqa: E402
from tests.stack import Stack  # noqa: E402

WARM_UP = 20
FRAME_PATIENCE = 30.0  # seconds an event's frame may take before the event counts as an error


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<58} n={len(ms):>4}  p50 {load.percentile(ms, 50):7.1f} ms  "
            f"p99 {load.percentile(ms, 99):7.1f} ms  max {max(ms, default=0):7.1f} ms")


class Frames:
    """Reads an SSE response in a thread; each ``notification`` frame lands in ``arrivals`` with
    the moment it was read."""

    def __init__(self, url: str, token: str) -> None:
        self.arrivals: queue.Queue = queue.Queue()
        self.response = requests.get(url, headers={"Authorization": f"Bearer {token}"},
                                     stream=True, timeout=(10, 60))
        assert self.response.status_code == 200, self.response.text
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = None, None
        try:
            for line in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and event == "notification":
                    self.arrivals.put((time.perf_counter(), json.loads(data)))
                    event, data = None, None
        except Exception:  # noqa: BLE001  closed at the end
            pass

    def wait_for(self, notification_type: str) -> tuple[float, dict] | None:
        """(when it was read, the item) of the next frame of that type, or None after
        FRAME_PATIENCE seconds."""
        give_up = time.monotonic() + FRAME_PATIENCE
        while (left := give_up - time.monotonic()) > 0:
            try:
                arrived, item = self.arrivals.get(timeout=left)
            except queue.Empty:
                return None
            if item["type"] == notification_type:
                return arrived, item
        return None


class RolesChange:
    """A provider changes its secretary's roles; her stream gets relationship_roles_changed."""

    name = "PATCH /relationships/{id} (roles change)"
    notification_type = "relationships.relationship_roles_changed"

    def __init__(self, people: People) -> None:
        provider = people.provider("Clínica Bench")
        self.listener = people.secretary("Sara Bench")
        relationship = people.relate(provider, self.listener, ["billing"])
        self.url = f"{people.client.base_url}/api/v1/relationships/{relationship['id']}"
        self.headers = {"Authorization": f"Bearer {provider['token']}"}
        self.number = 0

    def prepare(self, http: requests.Session) -> None:
        self.number += 1

    def change(self, http: requests.Session) -> requests.Response:
        # alternate, starting with a change from the roles the relationship began with
        roles = ["commercial"] if self.number % 2 else ["billing"]
        return http.patch(self.url, json={"roles": roles}, headers=self.headers, timeout=30)


class Decision:
    """An auditor authorizes a request awaiting audit; the provider's stream gets
    request_authorized (the submission before it is not timed)."""

    name = "POST /authorization-requests/{id}/decision"
    notification_type = "authorizations.request_authorized"

    def __init__(self, people: People) -> None:
        from tests.e2e.test_authorizations import PERIAPICAL, ROOT_CANAL, Desk, body
        desk = Desk(people.client, people.mail)
        self.listener = desk.provider("Clínica Bench")
        auditor = desk.staff(["auditor"])
        self.base = f"{people.client.base_url}/api/v1/authorization-requests"
        self.body = body(items=[{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 11},
                                {"procedure_code": PERIAPICAL, "quantity": 1, "tooth": 11}],
                         provider_id=self.listener["id"])
        self.provider_headers = {"Authorization": f"Bearer {self.listener['token']}"}
        self.auditor_headers = {"Authorization": f"Bearer {auditor['token']}"}
        self.request_id = None

    def prepare(self, http: requests.Session) -> None:
        answer = http.post(self.base, json=self.body, headers=self.provider_headers, timeout=30)
        assert answer.status_code == 201, answer.text
        self.request_id = answer.json()["id"]

    def change(self, http: requests.Session) -> requests.Response:
        return http.post(f"{self.base}/{self.request_id}/decision", json={
            "outcome": "authorized"}, headers=self.auditor_headers, timeout=30)


@dataclass
class Latencies:
    """Per event, in seconds: sending the change → reading its frame; the change's own answer;
    sending it → the inbox item's created_at (the notifications handler's clock, same machine)."""

    to_frame: list[float] = field(default_factory=list)
    change_only: list[float] = field(default_factory=list)
    to_item: list[float] = field(default_factory=list)
    errors: int = 0  # a change (or its set-up) not answered 2xx, or no frame in time


def change_kind(asked: str = "auto") -> str:
    """``decision`` when asked, or on ``auto`` when the authorizations service is in the tree;
    else ``roles``."""
    if asked != "auto":
        return asked
    try:
        import gateway.authorizations  # noqa: F401
        return "decision"
    except ImportError:
        return "roles"


def measure(stack: Stack, kind: str, events: int, warm_up: int = WARM_UP) -> Latencies:
    """``warm_up`` + ``events`` state changes one after the other, each timed to its frame on
    the listener's open stream."""
    people = People(stack.client, stack.mail)
    scenario = Decision(people) if kind == "decision" else RolesChange(people)
    frames = Frames(f"{stack.client.base_url}/api/v1/notifications/stream",
                    scenario.listener["token"])
    http = requests.Session()
    measured = Latencies()
    try:
        for number in range(warm_up + events):
            while not frames.arrivals.empty():  # a late frame of an event given up on
                frames.arrivals.get_nowait()
            try:
                scenario.prepare(http)
                started, wall = time.perf_counter(), time.time()
                answer = scenario.change(http)
            except (AssertionError, requests.RequestException):
                measured.errors += number >= warm_up
                continue
            answered = time.perf_counter()
            item = frames.wait_for(scenario.notification_type) if answer.ok else None
            if item is None:
                measured.errors += number >= warm_up
                continue
            arrived, item = item
            if number >= warm_up:
                measured.to_frame.append(arrived - started)
                measured.change_only.append(answered - started)
                created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
                measured.to_item.append(created.timestamp() - wall)
    finally:
        frames.response.close()
    return measured


def round_trips(port: int, count: int, warm_up: int = WARM_UP) -> list[float]:
    """The floor's echo, one request at a time: seconds each."""
    session, times = requests.Session(), []
    for number in range(warm_up + count):
        started = time.perf_counter()
        assert session.get(f"http://127.0.0.1:{port}/echo", timeout=10).status_code == 200
        if number >= warm_up:
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--change", choices=("auto", "decision", "roles"), default="auto",
                        help="auto: an auditor's decision when the authorizations service is "
                             "in the tree, else a roles change")
    args = parser.parse_args()
    kind = change_kind(args.change)
    with harness.distributed() as bench:
        latencies = measure(bench.stack, kind, args.events)
        floor = round_trips(bench.floor_port, args.events)
        name = Decision.name if kind == "decision" else RolesChange.name
        print(f"{harness.HEADING}, one client, sequential")
        print(summary("floor: nameko HTTP->RPC echo round trip", floor))
        print(summary(f"{name} answered", latencies.change_only))
        print(summary("  of which: until the notifications handler ran", latencies.to_item))
        print(summary("state change -> SSE frame at the client's stream", latencies.to_frame))
        p99 = load.percentile(latencies.to_frame, 99) * 1000
        print(f"errors (no 200, or no frame in {FRAME_PATIENCE:g} s): {latencies.errors}")
        print(f"target p99 <= 250 ms: {'met' if p99 <= 250 else 'NOT met'} ({p99:.1f} ms)")


if __name__ == "__main__":
    main()
