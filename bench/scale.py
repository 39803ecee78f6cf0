"""What a second instance of the busiest service does: POST /api/v1/authorization-requests (3
items, authorized at once) with one and then two ``ponte run authorizations`` processes, beside the
floor (a bare nameko HTTP → RPC echo) measured in the same run, in the distributed mode.

Each phase also records, from /proc, the CPU time every process used (Ponte's six or seven,
RabbitMQ, the PostgreSQL backends serving this run's databases, the load client) and its resident
memory, and prints where the cores went — CPU milliseconds per request — so the figures predict a
machine with more cores by the utilization law (operational analysis): a process that runs its
requests on one core serves at most 1000 / (its CPU ms per request) requests per second, n copies
n times that, and all of them together at most cores × 1000 / (the total CPU ms per request).

Run: ``.venv/bin/python bench/scale.py [--seconds 15] [--concurrency 20]``.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, load  # noqa: E402
from bench.authorizations import Provider  # noqa: E402
from tests.e2e.test_authorizations import Desk  # noqa: E402
from tests.stack import Stack, _run, free_port, wait_until  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """user + system CPU of a process and its waited-for children, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(v) for v in fields[11:15]) / TICKS  # utime stime cutime cstime


def rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 2**20
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def postgres_backends(stack: Stack) -> list[int]:
    prefix = stack.env["PONTE_DB_URL"].rsplit("/", 1)[1].replace("{service}", "")
    out = _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc",
               f"SELECT pid FROM pg_stat_activity WHERE datname LIKE '{prefix}%'").stdout
    return [int(p) for p in out.split()]


def _status(url: str) -> int | None:
    import requests
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return None


def database_times(stack: Stack) -> tuple[float, float, int]:
    """The authorizations database's (active ms, idle-in-transaction ms, commits) so far, from
    pg_stat_database: time its sessions spent running statements (waiting for locks included)
    and holding a transaction open while the client worked."""
    name = stack.env["PONTE_DB_URL"].rsplit("/", 1)[1].replace("{service}", "authorizations")
    out = _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc",
               "SELECT pg_stat_force_next_flush(); SELECT active_time, "
               f"idle_in_transaction_time, xact_commit FROM pg_stat_database "
               f"WHERE datname = '{name}'").stdout.split()[-1]
    active, idle, commits = out.split("|")
    return float(active), float(idle), int(commits)


@dataclass
class Usage:
    cpu: dict[str, float]  # process group -> CPU seconds used during the phase
    rss: dict[str, float]  # process group -> resident MB at the end (largest process)
    seconds: float
    database: tuple[float, float, int] = (0.0, 0.0, 0)  # active ms, idle in tx ms, commits
    waiting: float = 0.0  # mean sessions of the authorizations database waiting for a lock
    active: float = 0.0  # mean sessions of the authorizations database running a statement


class Meter:
    """CPU used by each group of processes between start() and stop()."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def groups(self) -> dict[str, list[int]]:
        groups = {name: [proc.pid] for name, proc in self.stack.processes.items()}
        groups["rabbitmq"] = pids_named("beam.smp")
        groups["postgresql (this run's backends)"] = postgres_backends(self.stack)
        return groups

    def sample(self) -> dict[str, dict[int, float]]:
        return {name: {pid: cpu_seconds(pid) for pid in pids}
                for name, pids in self.groups().items()}

    @staticmethod
    def client() -> float:
        """This process and the wrk runs it waited for."""
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def start(self) -> None:
        self.before, self.started, self.client_before = (self.sample(), time.monotonic(),
                                                         self.client())
        self.database_before = database_times(self.stack)
        self.samples: list[tuple[int, int]] = []
        self.sampling = threading.Event()
        self.sampler = threading.Thread(target=self._sample_sessions, daemon=True)
        self.sampler.start()

    def _sample_sessions(self) -> None:
        """Once a second: sessions of the authorizations database running a statement, and
        those of them waiting for a lock (pg_stat_activity)."""
        name = self.stack.env["PONTE_DB_URL"].rsplit("/", 1)[1].replace("{service}",
                                                                          "authorizations")
        while not self.sampling.wait(1.0):
            out = _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc",
                       "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER "
                       "(WHERE state = 'active' AND wait_event_type = 'Lock') FROM "
                       f"pg_stat_activity WHERE datname = '{name}'").stdout.strip()
            if "|" in out:
                active, waiting = out.split("|")
                self.samples.append((int(active), int(waiting)))

    def stop(self) -> Usage:
        after, elapsed = self.sample(), time.monotonic() - self.started
        cpu = {}
        for name, now in after.items():
            cpu[name] = sum(value - self.before.get(name, {}).get(pid, 0.0)
                            for pid, value in now.items() if pid in self.before.get(name, {}))
        cpu["load client (wrk + this script)"] = self.client() - self.client_before
        rss = {name: max((rss_mb(pid) for pid in pids), default=0.0)
               for name, pids in self.groups().items()}
        database = tuple(after - before for after, before in
                         zip(database_times(self.stack), self.database_before,
                             strict=True))
        self.sampling.set()
        self.sampler.join()
        count = max(len(self.samples), 1)
        return Usage(cpu, rss, elapsed, database,
                     waiting=sum(w for _, w in self.samples) / count,
                     active=sum(a for a, _ in self.samples) / count)


def measured(meter: Meter, run) -> tuple[load.Result, Usage]:  # noqa: ANN001
    meter.start()
    result = run()
    return result, meter.stop()


def cpu_table(phases: list[tuple[str, load.Result, Usage]]) -> list[str]:
    names = []
    for _, _, usage in phases:
        names += [n for n in usage.cpu if n not in names]
    header = f"{'process':<34}" + "".join(f"{title:>26}" for title, _, _ in phases)
    lines = [header, f"{'':<34}" + "".join(f"{'cores  ms/req  RSS MB':>26}" for _ in phases)]
    for name in names:
        row = f"{name:<34}"
        for _, result, usage in phases:
            used = usage.cpu.get(name, 0.0)
            per_request = 1000 * used / max(result.rate * usage.seconds, 1)
            rss = usage.rss.get(name, 0)
            row += f"{used / usage.seconds:>9.2f} {per_request:>7.1f} {rss:>8.0f}"
        lines.append(row)
    total = f"{'all of the above':<34}"
    for _, result, usage in phases:
        used = sum(usage.cpu.values())
        total += (f"{used / usage.seconds:>9.2f} "
                  f"{1000 * used / max(result.rate * usage.seconds, 1):>7.1f} {'':>8}")
    lines.append(total)
    row = f"{'authorizations DB: active, idle-in-tx ms/req':<34}"
    for _, result, usage in phases:
        requests = max(result.rate * usage.seconds, 1)
        active, idle, _ = usage.database
        row += f"{active / requests:>17.1f} {idle / requests:>8.1f}"
    lines.append(row)
    return lines


def model(one: load.Result, one_usage: Usage, two: load.Result, two_usage: Usage,
          concurrency: int) -> list[str]:
    """Bounds for a machine with more cores, from the figures of this run.

    - utilization law: all processes together need ``total`` CPU ms per request, so ``cores``
      cores serve at most cores × 1000 / total requests per second;
    - one process per core: the gateway needs its CPU ms per request on one core, so g gateway
      processes serve at most g × 1000 / that (the same for authorizations);
    - a serial section: gap-free numbering holds one sequence row locked from the number's bump
      to the commit, so requests pass it one at a time whatever the processes and cores. Little's
      law on PostgreSQL's active time tells whether requests queue there: active ms per request ×
      req/s = sessions running (or waiting for a lock) at once. When that is close to the number of
      clients, the lock is the bottleneck and its hold time is 1 / throughput.
    The prediction is the smallest bound."""
    requests = max(one.rate * one_usage.seconds, 1)
    per_request = {n: 1000 * c / requests for n, c in one_usage.cpu.items()
                   if not n.startswith("load")}
    total = sum(per_request.values())
    auth_cpu = per_request.get("authorizations", 0.0) or 1e-9
    gateway = per_request.get("gateway", 0.0) or 1e-9
    active = one_usage.database[0] / requests
    in_database = active * one.rate / 1000
    hold = 1000 / one.rate
    lines = [
        "model (utilization law, one core per process, and a serial section), from the "
        "1-instance phase:",
        f"  CPU per request: {total:.1f} ms in all processes, authorizations {auth_cpu:.1f} ms, "
        f"gateway {gateway:.1f} ms (one process each: ≤ {1000 / auth_cpu:.0f} and "
        f"≤ {1000 / gateway:.0f} req/s)",
        f"  in PostgreSQL: {active:.0f} ms active per request × {one.rate:.1f} req/s = "
        f"{in_database:.1f} of {concurrency} requests inside a statement at any moment; "
        f"sampled: {one_usage.active:.1f} sessions active, {one_usage.waiting:.1f} of them "
        f"waiting for a lock (2 instances: {two_usage.active:.1f}, {two_usage.waiting:.1f}). "
        f"When most wait, the numbering lock is the bottleneck: held ≈ {hold:.0f} ms per "
        f"request here, ≤ {one.rate:.0f} req/s whatever the instances",
        f"  measured: 1 instance {one.rate:.1f} req/s, 2 instances {two.rate:.1f} req/s "
        f"({two.rate / one.rate:.2f}x)"]
    for cores in (2, 4, 8, 16):
        cpu_bound = cores * 1000 / total
        copies = max(1, cores // 2)
        per_process = min(copies * 1000 / auth_cpu, copies * 1000 / gateway)
        lines.append(f"  {cores:>2} cores: CPU ≤ {cpu_bound:.0f} req/s, {copies} gateway + "
                     f"{copies} authorizations ≤ {per_process:.0f} req/s, numbering lock ≤ "
                     f"{one.rate:.0f} req/s at this machine's {hold:.0f} ms hold (≤ "
                     f"{1000 / (hold / 3):.0f} at a third of it, if the hold time is mostly "
                     f"waiting for a core)")
    return lines


def main() -> None:
    args = harness.options(__doc__).parse_args()
    with harness.distributed(args.seconds, args.concurrency) as bench:
        stack = bench.stack
        submission = Provider(Desk(stack.client, stack.mail), "Clínica Escala").submission
        meter = Meter(stack)
        floor = bench.floor()

        def phase(name: str) -> tuple[load.Result, Usage]:
            bench.warm_up(submission)  # outside the meter: its CPU would count without its requests
            return measured(meter, lambda: bench.run(name, submission, warm_up=False))
        one, one_usage = phase("POST, 1 authorizations")
        probes = free_port()
        stack.start_process("authorizations-2", "run", "authorizations",
                            env={"PONTE_METRICS_PORT": str(probes)})
        stack.wait_ready()
        wait_until(lambda: _status(f"http://127.0.0.1:{probes}/readyz") == 200, 60, 0.5,
                   "the second instance's readiness probe")
        two, two_usage = phase("POST, 2 authorizations")
        numbering = harness.authorization_numbering(stack)
        print(bench.heading())
        print("\n".join(load.table([floor, one, two], floor.rate)))
        print(harness.machine())
        print(f"second instance: {two.rate / one.rate:.2f}x the throughput of one")
        print("\n".join(n.line() for n in numbering))
        print()
        print("\n".join(cpu_table([("1 authorizations", one, one_usage),
                                   ("2 authorizations", two, two_usage)])))
        print()
        print("\n".join(model(one, one_usage, two, two_usage, args.concurrency)))


if __name__ == "__main__":
    main()
