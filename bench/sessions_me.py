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
            login = json.dumps({"login": email, "password": PASSWORD}).encode()
            me_headers = {"Authorization": f"Bearer {token}"}
            kwargs = {"concurrency": args.concurrency, "seconds": args.seconds}
            load.run("warm-up", floor_port, "GET", "/echo", concurrency=4, seconds=2)
            load.run("warm-up", stack.port, "GET", "/api/v1/me", headers=me_headers,
                     concurrency=4, seconds=2)
            floor = load.run("floor: nameko HTTP->RPC echo", floor_port, "GET", "/echo",
                             **kwargs)
            me = load.run("GET /api/v1/me", stack.port, "GET", "/api/v1/me",
                          headers=me_headers, **kwargs)
            sessions = load.run("POST /api/v1/sessions", stack.port, "POST",
                                "/api/v1/sessions", body=login,
                                headers={"Content-Type": "application/json"}, **kwargs)
            print(f"distributed mode (RabbitMQ + PostgreSQL, one process per component), "
                  f"{args.concurrency} concurrent connections, {args.seconds:.0f} s each, "
                  f"client: {load.client_name()}")
            for result in (floor, me, sessions):
                print(result.line(floor))
            met = me.rate >= 0.8 * floor.rate and me.p99_ms <= 100 and me.errors == 0
            print("GET /me target (>= 0.8x floor, p99 <= 100 ms, 0 errors):",
                  "met" if met else "NOT met")
        finally:
            for process in floor_processes:
                process.terminate()
                process.wait()
            stack.stop()


if __name__ == "__main__":
    main()
