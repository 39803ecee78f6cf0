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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.notifications_helpers import People  # noqa: E402
from tests.stack import BIN, Stack, distributed_infrastructure, free_port, wait_until  # noqa: E402

WARM_UP = 20


def start_floor(stack: Stack, port: int) -> list[subprocess.Popen]:
    """bench/floor.py's two processes on the stack's broker (as bench/sessions_me.py runs them,
    waiting patiently on a busy machine)."""
    common = ["--define", f"AMQP_URI={stack.env['AMQP_URI']}", "--define", "max_workers=200",
              "--define", f"WEB_SERVER_ADDRESS=127.0.0.1:{port}"]
    processes = [subprocess.Popen([str(BIN / "nameko"), "run", service, *common], cwd=ROOT,
                                  env=stack.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
                 for service in ("bench.floor:Echo", "bench.floor:EchoGateway")]

    def answers() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/echo", timeout=5).status_code == 200
        except requests.RequestException:
            return False
    wait_until(answers, 90, 0.5, "the floor")
    return processes


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<58} n={len(ms):>4}  p50 {statistics.median(ms):7.1f} ms  "
            f"p99 {percentile(ms, 99):7.1f} ms  max {max(ms):7.1f} ms")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--change", choices=("auto", "decision", "roles"), default="auto",
                        help="auto: an auditor's decision when the authorizations service is "
                             "in the tree, else a roles change")
    args = parser.parse_args()
    kind = args.change
    if kind == "auto":
        try:
            import gateway.authorizations  # noqa: F401
            kind = "decision"
        except ImportError:
            kind = "roles"

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("distributed", Path(workdir))
        floor_processes: list[subprocess.Popen] = []
        try:
            distributed_infrastructure(stack)
            stack.start()
            people = People(stack.client, stack.mail)
            scenario = Decision(people) if kind == "decision" else RolesChange(people)
            frames = Frames(f"{stack.client.base_url}/api/v1/notifications/stream",
                            scenario.listener["token"])
            http = requests.Session()
            to_frame, change_only, to_item = [], [], []
            for number in range(WARM_UP + args.events):
                scenario.prepare(http)
                started, wall = time.perf_counter(), time.time()
                answer = scenario.change(http)
                answered = time.perf_counter()
                assert answer.status_code == 200, answer.text
                while True:
                    arrived, item = frames.arrivals.get(timeout=30)
                    if item["type"] == scenario.notification_type:
                        break
                if number >= WARM_UP:
                    to_frame.append(arrived - started)
                    change_only.append(answered - started)
                    # the item's created_at is the notifications handler's clock (same machine)
                    created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
                    to_item.append(created.timestamp() - wall)

            floor_port = free_port()
            floor_processes = start_floor(stack, floor_port)
            floor_session = requests.Session()
            floor = []
            for number in range(WARM_UP + args.events):
                started = time.perf_counter()
                assert floor_session.get(f"http://127.0.0.1:{floor_port}/echo",
                                         timeout=10).status_code == 200
                if number >= WARM_UP:
                    floor.append(time.perf_counter() - started)

            print("distributed mode (RabbitMQ + PostgreSQL, one process per component), "
                  "one client, sequential")
            print(summary("floor: nameko HTTP->RPC echo round trip", floor))
            print(summary(f"{scenario.name} answered", change_only))
            print(summary("  of which: until the notifications handler ran", to_item))
            print(summary("state change -> SSE frame at the client's stream", to_frame))
            p99 = percentile(to_frame, 99) * 1000
            print(f"target p99 <= 250 ms: {'met' if p99 <= 250 else 'NOT met'} ({p99:.1f} ms)")
        finally:
            for process in floor_processes:
                process.terminate()
                process.wait()
            stack.stop()


if __name__ == "__main__":
    main()
