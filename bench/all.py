"""Every load scenario in one distributed run (``make bench``), beside the floor measured in the
same run, printed as one markdown table.

The distributed mode: one ``ponte run`` process per component on RabbitMQ (a vhost of its own)
and PostgreSQL (fresh databases), S3 on a moto server. The floor: a bare nameko HTTP → RPC echo
(bench/floor.py) in two processes on the same broker. In order:

1. the floor;
2. GET /api/v1/me and POST /api/v1/sessions as a citizen (the right password every time: no
   failure counts towards the login lockout; the run's rate limits are raised as in
   tests/stack.py, PONTE_RATE_LIMIT_FACTOR, so one client address is served);
3. POST /api/v1/authorization-requests (3 items, authorized at once) and GET of the list as a
   clinic;
4. POST /api/v1/services/{id}/requests as a citizen (a published service of an institution);
5. GET /api/v1/notifications (the clinic's inbox, filled by step 3) and GET /api/v1/bulletins;
6. an auditor's decision → the SSE frame on the clinic's open stream, one event at a time
   (bench/notifications_latency.py): p50 and p99 of that latency, no req/s;
7. the floor again. The ratio column divides by the mean of the two floor rows.

Each load scenario runs ``--concurrency`` connections for ``--seconds`` after 2 s of warm-up;
after each, the run waits for its queues to drain and for notifications to hand over the
e-mails due (what a write left behind). Every row also has the CPU milliseconds per request of
each process (gateway, each service, RabbitMQ's beam.smp; the floor's two processes for its
rows) from /proc, counted from the load's start until then: on a machine shared with other
work these move far less than the ratios do. Afterwards it checks that authorization numbers
and protocols and service-request protocols count without a repeat or a gap. Run: ``make
bench`` or ``.venv/bin/python bench/all.py [--seconds 15] [--concurrency 20] [--events 200]
[--only POST ...]``.
"""
from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load, notifications_latency  # noqa: E402
from bench.authorizations import LIST, SUBMIT, Provider  # noqa: E402
from bench.harness import Bench, Call  # noqa: E402
from bench.sessions_me import Citizen  # noqa: E402
from tests.e2e.test_attendance import World, answers  # noqa: E402
from tests.e2e.test_authorizations import Desk  # noqa: E402

# longer than the whole run at full length on a loaded machine, so no token in a scenario's
# fixed request expires halfway (the default is 10 minutes)
TOKEN_TTL = "7200"


def service_request(bench: Bench, citizen: Citizen) -> Call:
    """A citizen's request for a published service of a new institution."""
    world = World(bench.stack.client, bench.stack.mail)
    institution = world.institution("Secretaria Bench")
    service = world.published_service(institution, world.manager_of(institution))
    return Call.of("POST", f"/api/v1/services/{service['id']}/requests",
                   citizen.account["token"], {"answers": answers()})


def bulletin_read(bench: Bench, desk: Desk, provider: Provider) -> Call:
    """The clinic's bulletins, one of them addressed to every provider."""
    posted = bench.stack.client.post("/api/v1/bulletins", token=desk.operator, json={
        "title": f"Boletim {uuid.uuid4().hex[:4]}", "body": "Novas regras de autorização."})
    assert posted.status_code == 201, posted.text
    return Call.of("GET", "/api/v1/bulletins", provider.account["token"])


def numbering(bench: Bench) -> list[harness.Numbering]:
    return [*harness.authorization_numbering(bench.stack),
            harness.numbering(bench.stack, "attendance", "SELECT protocol FROM service_requests",
                              "service-request protocols", counter_digits=6)]


def main() -> None:
    parser = harness.options(__doc__)
    parser.add_argument("--events", type=int, default=200,
                        help="decisions timed to their SSE frame (default %(default)s; 0 skips)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the load scenarios whose name contains TEXT (repeatable; "
                             "the floor rows always run)")
    args = parser.parse_args()
    started = datetime.now(UTC)
    load_at_start = harness.load_average()
    with harness.distributed(args.seconds, args.concurrency,
                             env={"PONTE_ACCESS_TOKEN_TTL": TOKEN_TTL}) as bench:
        citizen = Citizen(bench)
        desk = Desk(bench.stack.client, bench.stack.mail)
        provider = Provider(desk)
        request = service_request(bench, citizen)
        bulletins = bulletin_read(bench, desk, provider)
        inbox = Call.of("GET", "/api/v1/notifications", provider.account["token"])

        scenarios = [("GET /api/v1/me", citizen.me),
                     ("POST /api/v1/sessions (argon2id)", citizen.sign_in),
                     (SUBMIT, provider.submission),
                     (LIST, provider.listing),
                     ("POST /api/v1/services/{id}/requests (citizen)", request),
                     ("GET /api/v1/notifications (clinic's inbox, a page)", inbox),
                     ("GET /api/v1/bulletins (clinic)", bulletins)]
        if args.only:
            scenarios = [(name, call) for name, call in scenarios
                         if any(text in name for text in args.only)]
        bench.settle()
        results = [bench.floor(f"{harness.FLOOR}, at the start")]
        for name, call in scenarios:
            results.append(bench.run(name, call))
        if args.events:
            latencies = notifications_latency.measure(bench.stack, "decision", args.events)
            results.append(load.timed(
                f"decision → SSE frame ({args.events} events, one at a time)",
                latencies.to_frame, latencies.errors))
        bench.settle()
        results.append(bench.floor(f"{harness.FLOOR}, at the end"))
        checks = numbering(bench)
        facts = harness.machine(load_at_start)

    floors = [results[0].rate, results[-1].rate]
    print(f"{bench.heading()}, {started:%Y-%m-%d %H:%M} UTC")
    print()
    floor_cpu = [results[0].cpu_total, results[-1].cpu_total]
    print("\n".join(load.table(results, sum(floors) / 2,
                               sum(floor_cpu) / 2 if all(floor_cpu) else None)))
    print()
    print(f"ratio to floor: req/s over the mean of the two floor rows ({floors[0]:.1f} and "
          f"{floors[1]:.1f} req/s); CPU to floor's: CPU ms per request over the mean of theirs. "
          f"decision → SSE frame: from sending an auditor's decision to "
          f"reading its frame on the clinic's open stream; {notifications_latency.WARM_UP} "
          f"warm-up events before them not counted.")
    print("numbering: " + "; ".join(check.line() for check in checks)
          + (" — gap-free" if all(check.gap_free for check in checks) else " — NOT gap-free"))
    drained = bench.drained
    longest = max(range(len(drained)), key=drained.__getitem__)
    print(f"after each load row the run's queues drained and its e-mails went out in "
          f"{min(drained):.0f}–"
          f"{max(drained):.0f} s (the longest after {scenarios[longest][0]})")
    print(facts)
    print()
    print("CPU milliseconds per request of each process, from /proc/<pid>/stat (utime + "
          "stime), counted from the load's start until the queues drained and the e-mails went "
          "out; RabbitMQ is the "
          "machine's broker, shared with anything else using it:")
    print()
    print("\n".join(load.cpu_table([r for r in results if r.cpu_ms])))


if __name__ == "__main__":
    main()
