"""What an idle all-in-one Ponte costs: start to ready, resident memory, and CPU while nobody
calls it.

Starts ``ponte up`` (in-process broker, SQLite) in a fresh data directory, times it until
``/readyz`` answers 200, lets it settle, then reads the process's CPU time (``/proc/<pid>/stat``)
over ``--seconds`` of idleness. Targets (issue 6): ready ≤ 3 s, RSS ≤ 150 MB, idle ≤ 1 % of a core.
Run: ``.venv/bin/python bench/idle.py [--seconds 30] [--amqp]`` (``--amqp`` uses the machine's
RabbitMQ instead of the in-process broker).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stack import Stack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20


def measure(seconds: float, settle: float, amqp: bool) -> dict:
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("embedded", Path(workdir))
        if amqp:
            from tests.stack import distributed_infrastructure
            distributed_infrastructure(stack)
            for name in ("PONTE_DB_URL", "PONTE_STORAGE_URL", "PONTE_S3_ENDPOINT_URL"):
                stack.env.pop(name, None)
        try:
            started = time.monotonic()
            stack.start()
            ready = time.monotonic() - started
            pid = stack.processes["ponte-up"].pid
            start_cpu = cpu_seconds(pid)
            time.sleep(settle)
            before, t0 = cpu_seconds(pid), time.monotonic()
            time.sleep(seconds)
            used, elapsed = cpu_seconds(pid) - before, time.monotonic() - t0
            return {"ready_s": ready, "start_cpu_s": start_cpu, "rss_mb": rss_mb(pid),
                    "idle_cpu_percent": 100 * used / elapsed}
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--settle", type=float, default=5)
    parser.add_argument("--amqp", action="store_true", help="ponte up on the machine's RabbitMQ")
    args = parser.parse_args()
    result = measure(args.seconds, args.settle, args.amqp)
    broker = "RabbitMQ" if args.amqp else "in-process broker"
    print(f"ponte up ({broker}): ready in {result['ready_s']:.2f} s "
          f"({result['start_cpu_s']:.2f} s of CPU), "
          f"RSS {result['rss_mb']:.0f} MB, idle CPU {result['idle_cpu_percent']:.2f} % of a core "
          f"over {args.seconds:.0f} s")


if __name__ == "__main__":
    main()
