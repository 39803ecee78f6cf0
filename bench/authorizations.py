"""Benchmark of authorization requests in the distributed mode (RabbitMQ + PostgreSQL, one
process per component): POST /api/v1/authorization-requests with 3 items (authorized at once:
number, protocol and code each time) and GET /api/v1/authorization-requests (a page of 50), next
to the floor — a bare nameko HTTP → RPC echo measured in the same run on the same broker.

Target (issue 8): create ≥ 0.5 × floor, list ≥ 0.8 × floor, p99 ≤ 1.5 × the floor's p99,
0 errors, 0 duplicate numbers. Run: ``.venv/bin/python bench/authorizations.py``.
Options: ``--seconds 15 --concurrency 20``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.sessions_me import start_floor  # noqa: E402
from tests.e2e.test_authorizations import Desk, body  # noqa: E402
from tests.stack import Stack, distributed_infrastructure, free_port  # noqa: E402

THREE_ITEMS = [{"procedure_code": "81000065", "quantity": 1},
               {"procedure_code": "81000421", "quantity": 1, "tooth": 46},
               {"procedure_code": "85100200", "quantity": 1, "tooth": 36, "faces": ["O", "M"]}]


def numbering(stack: Stack) -> tuple[int, int, int]:
    """(requests submitted, duplicate numbers, numbers missing from 1..N)."""
    engine = sa.create_engine(stack.env["PONTE_DB_URL"].replace("{service}", "authorizations"))
    with engine.connect() as conn:
        numbers = [int(n) for n in conn.execute(sa.text(
            "SELECT number FROM requests WHERE number IS NOT NULL")).scalars()]
    engine.dispose()
    duplicates = len(numbers) - len(set(numbers))
    missing = len(set(range(1, len(set(numbers)) + 1)) - set(numbers))
    return len(numbers), duplicates, missing


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
            provider = Desk(stack.client, stack.mail).provider("Clínica Bench")
            headers = {"Authorization": f"Bearer {provider['token']}",
                       "Content-Type": "application/json"}
            create = json.dumps(body(items=THREE_ITEMS)).encode()
            floor_port = free_port()
            floor_processes = start_floor(stack, floor_port)
            kwargs = {"concurrency": args.concurrency, "seconds": args.seconds}
            path = "/api/v1/authorization-requests"
            load.run("warm-up", floor_port, "GET", "/echo", concurrency=4, seconds=2)
            load.run("warm-up", stack.port, "POST", path, body=create, headers=headers,
                     concurrency=4, seconds=2)
            floor = load.run("floor: nameko HTTP->RPC echo", floor_port, "GET", "/echo",
                             **kwargs)
            created = load.run("POST authorization-requests", stack.port, "POST", path,
                               body=create, headers=headers, **kwargs)
            listed = load.run("GET authorization-requests", stack.port, "GET", path,
                              headers=headers, **kwargs)
            submitted, duplicates, missing = numbering(stack)
            print(f"distributed mode (RabbitMQ + PostgreSQL, one process per component), "
                  f"{args.concurrency} concurrent connections, {args.seconds:.0f} s each, "
                  f"client: {load.client_name()}")
            for result in (floor, created, listed):
                print(result.line(floor))
            print(f"requests submitted: {submitted}, duplicate numbers: {duplicates}, "
                  f"numbers skipped: {missing}")
            p99 = 1.5 * floor.p99_ms
            met = (created.rate >= 0.5 * floor.rate and listed.rate >= 0.8 * floor.rate
                   and created.p99_ms <= p99 and listed.p99_ms <= p99
                   and created.errors == listed.errors == 0 and duplicates == missing == 0)
            print("target (create >= 0.5x, list >= 0.8x floor, p99 <= 1.5x floor p99, "
                  "0 errors, 0 duplicates):", "met" if met else "NOT met")
        finally:
            for process in floor_processes:
                process.terminate()
                process.wait()
            stack.stop()


if __name__ == "__main__":
    main()
