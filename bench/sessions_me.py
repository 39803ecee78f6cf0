"""Benchmark of the distributed mode (RabbitMQ + PostgreSQL, one process per component):
POST /api/v1/sessions and GET /api/v1/me at 20 concurrent clients, next to the floor — a bare
nameko HTTP → RPC echo measured in the same run on the same broker.

Target (issue 2): GET /me ≥ 0.8 × floor, p99 ≤ 100 ms, 0 errors. Every scenario at once:
``make bench`` (bench/all.py). Run: ``.venv/bin/python bench/sessions_me.py``.
Options: ``--seconds 15 --concurrency 20``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load  # noqa: E402
from bench.harness import Call  # noqa: E402
from tests.stack import register_citizen  # noqa: E402

PASSWORD = "Bench#2026"


class Citizen:
    """A citizen signed in, and what the two scenarios send as her. Her sign-ins give the right
    password every time, so none counts towards the login lockout."""

    def __init__(self, bench: harness.Bench) -> None:
        self.account = register_citizen(bench.stack.client, PASSWORD)
        self.me = Call.of("GET", "/api/v1/me", self.account["token"])
        self.sign_in = Call.of("POST", "/api/v1/sessions", payload={
            "login": self.account["email"], "password": PASSWORD})


def main() -> None:
    args = harness.options(__doc__).parse_args()
    with harness.distributed(args.seconds, args.concurrency) as bench:
        citizen = Citizen(bench)
        floor = bench.floor()
        me = bench.run("GET /api/v1/me", citizen.me)
        sessions = bench.run("POST /api/v1/sessions", citizen.sign_in)
        print(bench.heading())
        print(harness.machine())
        print("\n".join(load.table([floor, me, sessions], floor.rate)))
        met = me.rate >= 0.8 * floor.rate and me.p99_ms <= 100 and me.errors == 0
        print("GET /me target (>= 0.8x floor, p99 <= 100 ms, 0 errors):",
              "met" if met else "NOT met")


if __name__ == "__main__":
    main()
