"""Latency from a state change to the SSE frame at the client, distributed mode (RabbitMQ +
PostgreSQL, one process per component), beside the floor's RPC round trip in the same run.

The state change is a relationship's roles being changed by the provider (PATCH
/api/v1/relationships/{id}), which the secretary's open stream receives as
``relationships.relationship_roles_changed``: the authorizations service (an auditor's decision,
the change the issue names) had not landed when this was written, and this change takes the same
path — the service commits the change and its event in one transaction, the outbox relay
publishes it, the notifications service writes the inbox item and broadcasts it, the gateway
pushes the frame. Measured per event: from sending the PATCH to reading the frame (so it includes
the PATCH's own round trip, also reported alone).

Target (issue 10): p99 ≤ 250 ms. Run: ``.venv/bin/python bench/notifications_latency.py
[--events 200]``.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("distributed", Path(workdir))
        floor_processes: list[subprocess.Popen] = []
        try:
            distributed_infrastructure(stack)
            stack.start()
            people = People(stack.client, stack.mail)
            provider = people.provider("Clínica Bench")
            secretary = people.secretary("Sara Bench")
            relationship = people.relate(provider, secretary, ["billing"])
            frames = Frames(f"{stack.client.base_url}/api/v1/notifications/stream",
                            secretary["token"])
            http = requests.Session()
            url = f"{stack.client.base_url}/api/v1/relationships/{relationship['id']}"
            headers = {"Authorization": f"Bearer {provider['token']}"}
            to_frame, patch_only, to_item = [], [], []
            for number in range(WARM_UP + args.events):
                roles = ["billing"] if number % 2 else ["commercial"]
                started, wall = time.perf_counter(), time.time()
                answer = http.patch(url, json={"roles": roles}, headers=headers, timeout=30)
                answered = time.perf_counter()
                assert answer.status_code == 200, answer.text
                while True:
                    arrived, item = frames.arrivals.get(timeout=30)
                    if item["type"] == "relationships.relationship_roles_changed":
                        break
                if number >= WARM_UP:
                    to_frame.append(arrived - started)
                    patch_only.append(answered - started)
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
            print(summary("PATCH /relationships/{id} (the state change) answered", patch_only))
            print(summary("  of which: until the notifications handler ran", to_item))
            print(summary("state change -> SSE frame at the secretary's stream", to_frame))
            p99 = percentile(to_frame, 99) * 1000
            print(f"target p99 <= 250 ms: {'met' if p99 <= 250 else 'NOT met'} ({p99:.1f} ms)")
        finally:
            for process in floor_processes:
                process.terminate()
                process.wait()
            stack.stop()


if __name__ == "__main__":
    main()
