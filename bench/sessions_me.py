"""Benchmark of the distributed mode (RabbitMQ + PostgreSQL, one process per component):
POST /api/v1/sessions and GET /api/v1/me at 20 concurrent clients, next to the floor — a bare
nameko HTTP → RPC echo measured in the same run on the same broker.

Target (issue 2): GET /me ≥ 0.8 × floor, p99 ≤ 100 ms, 0 errors. Run: ``make bench``.
Options: ``--seconds 15 --concurrency 20``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from tests.stack import (BIN, Stack, distributed_infrastructure, free_port, new_cpf,  # noqa: E402
                         wait_until)

PASSWORD = "Bench#2026"


def start_floor(stack: Stack, port: int) -> list[subprocess.Popen]:
    env = {**stack.env}
    common = ["--define", f"AMQP_URI={env['AMQP_URI']}", "--define", "max_workers=200",
              "--define", f"WEB_SERVER_ADDRESS=127.0.0.1:{port}"]
    processes = []
    for service in ("bench.floor:Echo", "bench.floor:EchoGateway"):
        processes.append(subprocess.Popen([str(BIN / "nameko"), "run", service, *common],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
    import requests
    wait_until(lambda: _ok(requests, f"http://127.0.0.1:{port}/echo"), 60, 0.3, "the floor")
    return processes


def _ok(requests, url: str) -> bool:  # noqa: ANN001
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("distributed", Path(workdir))
        floor_processes: list[subprocess.Popen] = []
        try:
            distributed_infrastructure(stack)
            stack.start()
            client = stack.client
            email = f"bench-{uuid.uuid4().hex[:8]}@ponte.test"
            answer = client.post("/api/v1/citizens", json={
                "cpf": new_cpf(), "email": email, "name": "Bench Citizen",
                "password": PASSWORD, "password_confirmation": PASSWORD, "accepted_terms": True})
            assert answer.status_code == 201, answer.text
            token = client.token(email, PASSWORD)

            floor_port = free_port()
            floor_processes = start_floor(stack, floor_port)
            login_body = json.dumps({"login": email, "password": PASSWORD}).encode()
            json_headers = {"Content-Type": "application/json"}
            me_headers = {"Authorization": f"Bearer {token}"}

            def warm(path_request, port: int) -> None:
                load.run("warm-up", "127.0.0.1", port, path_request, concurrency=4, seconds=2)

            floor_request = lambda n: ("GET", "/echo", None, {})  # noqa: E731
            me_request = lambda n: ("GET", "/api/v1/me", None, me_headers)  # noqa: E731
            login_request = lambda n: ("POST", "/api/v1/sessions", login_body,  # noqa: E731
                                       json_headers)
            warm(floor_request, floor_port)
            warm(me_request, stack.port)
            kwargs = {"concurrency": args.concurrency, "seconds": args.seconds}
            floor = load.run("floor: nameko HTTP->RPC echo", "127.0.0.1", floor_port,
                             floor_request, **kwargs)
            me = load.run("GET /api/v1/me", "127.0.0.1", stack.port, me_request, **kwargs)
            sessions = load.run("POST /api/v1/sessions", "127.0.0.1", stack.port,
                                login_request, **kwargs)
            print(f"distributed mode, RabbitMQ + PostgreSQL, {args.concurrency} concurrent "
                  f"clients, {args.seconds:.0f} s each")
            for result in (floor, me, sessions):
                print(result.line(floor))
            verdict = (me.rate >= 0.8 * floor.rate and me.percentile(99) <= 100
                       and me.errors == 0)
            print("GET /me target (>= 0.8x floor, p99 <= 100 ms, 0 errors):",
                  "met" if verdict else "NOT met")
        finally:
            for process in floor_processes:
                process.terminate()
                process.wait()
            stack.stop()


if __name__ == "__main__":
    main()
