"""Benchmark of the one-process configuration: ``ponte up`` (gateway and the five services in one
process) on the machine's RabbitMQ, next to the floor in one process too — a bare nameko HTTP
→ RPC echo (``bench.floor``, both services in one ``nameko run``) on the same broker.

Target (issue 6): authenticated GET /api/v1/me ≥ 0.85 × the floor's throughput, with p99 ≤
1.2 × the floor's p99, 0 errors. ``--profile`` samples ``ponte up`` with py-spy during the
measured GET /me run and writes a flame graph (``--profile-out``, default
``var/bench-profile.svg``) and the hottest functions (``.txt`` beside it).

Run: ``.venv/bin/python bench/one_process.py [--seconds 8 --rounds 3 --concurrency 20
--profile]``.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness, load  # noqa: E402
from bench.idle import cpu_seconds  # noqa: E402
from tests.stack import (  # noqa: E402
    BIN,
    Stack,
    distributed_infrastructure,
    free_port,
    register_citizen,
)


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed (pip install py-spy); no profile")
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    # --gil: only the thread running Python (eventlet's hub), not idle worker threads
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
                             "--rate", "200", "--gil", "--nonblocking", "--format", "raw",
                             "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(raw: Path, top: int = 25) -> str:
    """Hottest leaf functions and the share of samples each (inclusive) frame appears in."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    rows = sorted(inclusive.items(), key=lambda item: -item[1])[:top]
    return "\n".join(f"{100 * n / total:5.1f} %  {frame}" for frame, n in rows)


def main() -> None:
    parser = harness.options(__doc__, seconds=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-out", type=Path, default=ROOT / "var" / "bench-profile.txt")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("embedded", Path(workdir))
        floor = None
        try:
            distributed_infrastructure(stack)  # a fresh RabbitMQ vhost (and unused databases)
            for name in ("PONTE_DB_URL", "PONTE_STORAGE_URL", "PONTE_S3_ENDPOINT_URL"):
                stack.env.pop(name, None)  # SQLite and local files, as `ponte up` defaults to
            stack.start()
            headers = {"Authorization": f"Bearer {register_citizen(stack.client)['token']}"}

            floor_port = free_port()
            floor = harness.start_floor(stack.env, floor_port, one_process=True,
                                        log=Path(workdir) / "floor.log")[0]
            kwargs = {"concurrency": args.concurrency, "seconds": args.seconds}
            load.run("warm-up", floor_port, "GET", "/echo", concurrency=4, seconds=2)
            load.run("warm-up", stack.port, "GET", "/api/v1/me", headers=headers,
                     concurrency=4, seconds=2)
            # alternate short rounds, so both sides see the same load from whatever else
            # shares the machine; the median round of each counts
            rounds = {"floor": [], "me": []}
            cpu = {"floor": 0.0, "me": 0.0}
            ponte_pid = stack.processes["ponte-up"].pid
            spy = None
            for number in range(args.rounds):
                before = cpu_seconds(floor.pid)
                rounds["floor"].append(load.run(harness.FLOOR, floor_port,
                                                "GET", "/echo", **kwargs))
                cpu["floor"] += cpu_seconds(floor.pid) - before
                if args.profile and number == args.rounds - 1:
                    spy = profile(ponte_pid, args.seconds, args.profile_out.with_suffix(".raw"))
                before = cpu_seconds(ponte_pid)
                rounds["me"].append(load.run("GET /api/v1/me", stack.port, "GET", "/api/v1/me",
                                             headers=headers, **kwargs))
                cpu["me"] += cpu_seconds(ponte_pid) - before
            if spy is not None:
                spy.wait()
                args.profile_out.write_text(summarise(args.profile_out.with_suffix(".raw")))
            floor_result, me = (sorted(rounds[side], key=lambda r: r.rate)[args.rounds // 2]
                                for side in ("floor", "me"))
            print(f"one process each (ponte up and the floor) on RabbitMQ, SQLite, "
                  f"{args.concurrency} concurrent connections, {args.rounds} alternating rounds "
                  f"of {args.seconds:.0f} s each (median round shown), client: "
                  f"{load.client_name()}")
            print("\n".join(load.table([floor_result, me], floor_result.rate)))
            served = {side: sum(r.rate for r in rounds[side]) * args.seconds for side in rounds}
            print(f"CPU per request (the server process, all threads): floor "
                  f"{1000 * cpu['floor'] / served['floor']:.2f} ms, GET /me "
                  f"{1000 * cpu['me'] / served['me']:.2f} ms")
            ratio, tail = me.rate / floor_result.rate, me.p99_ms / floor_result.p99_ms
            met = ratio >= 0.85 and tail <= 1.2 and me.errors == 0
            print(f"GET /me: {ratio:.2f}x the floor's rate, p99 {tail:.2f}x the floor's; target "
                  f"(>= 0.85x, p99 <= 1.2x, 0 errors): {'met' if met else 'NOT met'}")
            if spy is not None:
                print(f"profile: {args.profile_out}")
        finally:
            if floor is not None:
                floor.terminate()
                floor.wait()
            stack.stop()


if __name__ == "__main__":
    main()
