"""What the benchmarks of the distributed mode share: their options, the stack (one ``ponte run``
per component on RabbitMQ + PostgreSQL, S3 on a moto server) with the floor beside it on the same
broker, warming up, letting a write's events drain, gap-free numbering, and stopping it all.

The floor is a bare nameko HTTP → RPC echo (bench/floor.py) with nothing of Ponte in it."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from bench import load
from tests.stack import BIN, ROOT, Stack, _run, distributed_infrastructure, free_port, wait_until

FLOOR = "floor: nameko HTTP → RPC echo"
TICKS = os.sysconf("SC_CLK_TCK")
RABBITMQ = "rabbitmq (beam.smp)"
HEADING = "distributed mode (RabbitMQ + PostgreSQL, one process per component)"


def options(description: str | None, *, seconds: float = 15,
            concurrency: int = 20) -> argparse.ArgumentParser:
    """A parser with the options every load scenario takes; add a script's own to it."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=seconds,
                        help="how long each scenario runs (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=concurrency,
                        help="connections each scenario keeps busy (default %(default)s)")
    return parser


def start_floor(env: dict[str, str], port: int, *, one_process: bool = False,
                log: Path | None = None) -> list[subprocess.Popen]:
    """The floor on ``env``'s broker, answering on ``port``: two processes (gateway → service,
    the hops of Ponte's gateway → identity), or both services in one with ``one_process``."""
    common = ["--define", f"AMQP_URI={env['AMQP_URI']}", "--define", "max_workers=200",
              "--define", f"WEB_SERVER_ADDRESS=127.0.0.1:{port}"]
    services = ["bench.floor:Echo", "bench.floor:EchoGateway"]
    groups = [services] if one_process else [[service] for service in services]
    output = open(log, "ab") if log else subprocess.DEVNULL
    processes = [subprocess.Popen([str(BIN / "nameko"), "run", *group, *common], cwd=ROOT,
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
                 for group in groups]

    def answers() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/echo", timeout=5).status_code == 200
        except requests.RequestException:
            return False
    try:
        wait_until(answers, 90, 0.5, "the floor")
    except AssertionError:
        stop(processes)
        raise
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM, and SIGKILL for any still running 15 s later."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (``/proc/<pid>/stat``), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rabbitmq_pids() -> list[int]:
    """The RabbitMQ server's Erlang VM (beam.smp), not the short-lived VMs of ``rabbitmqctl``.
    The broker is shared with whatever else uses the machine's RabbitMQ, so its figure is an
    upper bound of this run's share."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "beam.smp" \
                    and b"rabbitmqctl" not in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@dataclass
class CpuMeter:
    """CPU time each named group of processes uses between :meth:`start` and :meth:`stop`."""

    groups: dict[str, list[int]]

    def _sample(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.groups.items()}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self, requests: float) -> dict[str, float]:
        """CPU milliseconds per request of each group since :meth:`start`."""
        after = self._sample()
        return {name: 1000 * (after[name] - self.before[name]) / max(requests, 1)
                for name in self.groups}


@dataclass(frozen=True)
class Call:
    """One HTTP request a scenario sends over and over."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] | None = None

    @classmethod
    def of(cls, method: str, path: str, token: str | None = None,
           payload: object = None) -> Call:
        """With a bearer ``token`` and a JSON ``payload`` where given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if payload is None:
            return cls(method, path, None, headers)
        headers["Content-Type"] = "application/json"
        return cls(method, path, json.dumps(payload).encode(), headers)


@dataclass
class Bench:
    """A running distributed stack with the floor beside it, and the options the load
    scenarios run at."""

    stack: Stack
    floor_port: int
    seconds: float = 15
    concurrency: int = 20
    floor_processes: list[subprocess.Popen] = field(default_factory=list)
    rabbitmq: list[int] = field(default_factory=rabbitmq_pids)
    drained: list[float] = field(default_factory=list)
    """Seconds each :meth:`run` waited after its load for the queues to drain."""

    def floor(self, name: str = FLOOR) -> load.Result:
        meter = CpuMeter({**{f"floor {i + 1}": [p.pid] for i, p in
                             enumerate(self.floor_processes)}, RABBITMQ: self.rabbitmq})
        meter.start()
        result = load.run(name, self.floor_port, "GET", "/echo", concurrency=self.concurrency,
                          seconds=self.seconds)
        result.cpu_ms = meter.stop(result.rate * self.seconds)
        return result

    def warm_up(self, call: Call) -> None:
        """A couple of seconds of ``call`` at light load: connections, caches, JIT-less Python's
        first paths."""
        load.run("warm-up", self.stack.port, call.method, call.path, body=call.body,
                 headers=call.headers, concurrency=4, seconds=2)

    def run(self, name: str, call: Call, *, warm_up: bool = True) -> load.Result:
        """``call`` on the stack at the run's concurrency for its seconds, with the CPU
        milliseconds per request of each process: counted from the load's start until the
        queues have drained, so the events a write leaves behind (inbox items, e-mails,
        broadcasts) count towards the request that caused them."""
        if warm_up:
            self.warm_up(call)
            self.settle()
        meter = CpuMeter({**{name: [p.pid] for name, p in self.stack.processes.items()},
                          RABBITMQ: self.rabbitmq})
        meter.start()
        result = load.run(name, self.stack.port, call.method, call.path, body=call.body,
                          headers=call.headers, concurrency=self.concurrency,
                          seconds=self.seconds)
        self.drained.append(self.settle())
        result.cpu_ms = meter.stop(result.rate * self.seconds)
        return result

    def heading(self) -> str:
        return f"{HEADING}, {self.concurrency} concurrent connections, {self.seconds:g} s each"

    def settle(self, timeout: float = 120) -> float:
        """Wait until this run's queues have stayed empty for a moment and notifications has
        handed over every e-mail due, so what a write scenario left behind (inbox items,
        e-mails) does not load the next one and counts towards the write; the seconds it took.
        Returns at once where the run has no vhost of its own."""
        vhost = self.stack.env["AMQP_URI"].rsplit("/", 1)[1]
        if not vhost:
            return 0.0
        started, empty_since = time.monotonic(), None
        notifications = sa.create_engine(
            self.stack.env["PONTE_DB_URL"].replace("{service}", "notifications"))
        try:
            while time.monotonic() - started < timeout:
                answer = _run("rabbitmqctl", "list_queues", "-p", vhost, "--quiet",
                              "--no-table-headers", "messages")
                if answer.returncode != 0:
                    break  # cannot tell; do not wait
                if all(count == "0" for count in answer.stdout.split()) \
                        and not emails_due(notifications):
                    empty_since = empty_since or time.monotonic()
                    if time.monotonic() - empty_since >= 1.0:
                        break
                else:
                    empty_since = None
                time.sleep(0.5)
        finally:
            notifications.dispose()
        return time.monotonic() - started


@contextmanager
def distributed(seconds: float = 15, concurrency: int = 20,
                env: dict[str, str] | None = None) -> Iterator[Bench]:
    """A fresh distributed stack (its own vhost, databases and S3) and the floor, warmed up;
    everything stopped and removed afterwards. The stack's rate limits are raised
    (tests/stack.py's PONTE_RATE_LIMIT_FACTOR) so one load client from one address is served;
    the login lockout is not a rate limit and stays, which only failed sign-ins would meet."""
    # A run stopped by SIGTERM (a timeout, Ctrl-C's sibling) still stops its processes: the
    # default action would leave the stack and the floor running, orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack("distributed", Path(workdir), env)
        floor: list[subprocess.Popen] = []
        try:
            distributed_infrastructure(stack)
            stack.start()
            port = free_port()
            floor = start_floor(stack.env, port)
            load.run("warm-up", port, "GET", "/echo", concurrency=4, seconds=2)
            yield Bench(stack, port, seconds, concurrency, floor)
        finally:
            stop(floor)
            stack.stop()


@dataclass
class Numbering:
    """Whether numbers given out count 1, 2, 3 ... without a repeat or a gap."""

    what: str
    issued: int
    duplicates: int
    skipped: int

    @property
    def gap_free(self) -> bool:
        return self.duplicates == self.skipped == 0

    def line(self) -> str:
        return (f"{self.what}: {self.issued} issued, {self.duplicates} duplicate, "
                f"{self.skipped} skipped")


EMAILS_DUE = ("SELECT count(*) FROM emails WHERE status = 'pending' "  # leased ones too
              "OR (status = 'retrying' AND next_attempt_at <= now())")


def emails_due(notifications: sa.Engine) -> int:
    """E-mails notifications has queued and not yet handed over (being sent included; a retry
    only once its time has come), read from its database (one pooled connection for every
    poll, not a new PostgreSQL backend each)."""
    with notifications.connect() as conn:
        return conn.execute(sa.text(EMAILS_DUE)).scalar_one()


def numbering(stack: Stack, service: str, query: str, what: str,
              counter_digits: int | None = None) -> Numbering:
    """Checks the values ``query`` reads from ``service``'s database. Whole values count from 1;
    with ``counter_digits``, the last that many digits count from 1 within each prefix (a
    protocol's day)."""
    engine = sa.create_engine(stack.env["PONTE_DB_URL"].replace("{service}", service))
    try:
        with engine.connect() as conn:
            values = [str(v) for v in conn.execute(sa.text(query)).scalars()]
    finally:
        engine.dispose()
    sequences: dict[str, list[int]] = defaultdict(list)
    for value in values:
        if counter_digits:
            sequences[value[:-counter_digits]].append(int(value[-counter_digits:]))
        else:
            sequences[""].append(int(value))
    duplicates = skipped = 0
    for numbers in sequences.values():
        distinct = set(numbers)
        duplicates += len(numbers) - len(distinct)
        skipped += len(set(range(1, max(distinct) + 1)) - distinct)
    return Numbering(what, len(values), duplicates, skipped)


def authorization_numbering(stack: Stack) -> list[Numbering]:
    """Request numbers and (per day) protocols of authorization requests."""
    return [numbering(stack, "authorizations",
                      "SELECT number FROM requests WHERE number IS NOT NULL",
                      "authorization request numbers"),
            numbering(stack, "authorizations",
                      "SELECT protocol FROM requests WHERE protocol IS NOT NULL",
                      "authorization protocols", counter_digits=6)]


def load_average() -> float:
    """The machine's 1-minute load average."""
    return os.getloadavg()[0]


def machine(load_at_start: float | None = None) -> str:
    """Cores, the load average (at the start where given, and now) and the load client."""
    now = f"{load_average():.1f}" + (" at the end" if load_at_start is not None else " now")
    start = f"{load_at_start:.1f} at the start, " if load_at_start is not None else ""
    return (f"machine: {os.cpu_count()} cores, load average {start}{now}; "
            f"client: {load.client_name()}")
