"""Benchmark of authorization requests in the distributed mode (RabbitMQ + PostgreSQL, one
process per component): POST /api/v1/authorization-requests with 3 items (authorized at once:
number, protocol and code each time) and GET /api/v1/authorization-requests (a page of 50), next
to the floor — a bare nameko HTTP → RPC echo measured in the same run on the same broker.

Target (issue 8): create ≥ 0.5 × floor, list ≥ 0.8 × floor, p99 ≤ 1.5 × the floor's p99,
0 errors, 0 duplicate numbers. Every scenario at once: ``make bench`` (bench/all.py).
Run: ``.venv/bin/python bench/authorizations.py``. Options: ``--seconds 15 --concurrency 20``.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load  # noqa: E402
from bench.harness import Call  # noqa: E402
from tests.e2e.test_authorizations import Desk, body  # noqa: E402

PATH = "/api/v1/authorization-requests"
THREE_ITEMS = [{"procedure_code": "81000065", "quantity": 1},
               {"procedure_code": "81000421", "quantity": 1, "tooth": 46},
               {"procedure_code": "85100200", "quantity": 1, "tooth": 36, "faces": ["O", "M"]}]
SUBMIT = "POST /api/v1/authorization-requests (3 items, authorized at once)"
LIST = "GET /api/v1/authorization-requests (a page of 50)"


class Provider:
    """A clinic signed in; it submits the same request over and over (none of its items needs
    an audit) and reads its list."""

    def __init__(self, desk: Desk, name: str = "Clínica Bench") -> None:
        self.account = desk.provider(name)
        self.submission = Call.of("POST", PATH, self.account["token"], body(items=THREE_ITEMS))
        self.listing = Call.of("GET", PATH, self.account["token"])


def main() -> None:
    args = harness.options(__doc__).parse_args()
    with harness.distributed(args.seconds, args.concurrency) as bench:
        provider = Provider(Desk(bench.stack.client, bench.stack.mail))
        floor = bench.floor()
        created = bench.run(SUBMIT, provider.submission)
        listed = bench.run(LIST, provider.listing)
        numbering = harness.authorization_numbering(bench.stack)
        print(bench.heading())
        print(harness.machine())
        print("\n".join(load.table([floor, created, listed], floor.rate)))
        print("\n".join(n.line() for n in numbering))
        p99 = 1.5 * floor.p99_ms
        met = (created.rate >= 0.5 * floor.rate and listed.rate >= 0.8 * floor.rate
               and created.p99_ms <= p99 and listed.p99_ms <= p99
               and created.errors == listed.errors == 0 and all(n.gap_free for n in numbering))
        print("target (create >= 0.5x, list >= 0.8x floor, p99 <= 1.5x floor p99, "
              "0 errors, 0 duplicates):", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
