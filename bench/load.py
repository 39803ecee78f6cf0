"""Closed-loop HTTP load: wrk when it is installed (light on the CPU it shares with the servers),
else a small Python client. Either way: N connections for a fixed time, then throughput,
latency percentiles and errors; and the one table every benchmark prints them in."""
from __future__ import annotations

import http.client
import math
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    rate: float | None  # requests per second; None where one request at a time was timed
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: dict[str, float] | None = None  # process -> CPU ms per request (bench/harness.py)

    @property
    def cpu_total(self) -> float | None:
        return sum(self.cpu_ms.values()) if self.cpu_ms else None


def client_name() -> str:
    return "wrk" if shutil.which("wrk") else "python http.client"


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0-100) of ``values``; NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(name: str, seconds: list[float], errors: int = 0) -> Result:
    """A Result from latencies measured one at a time (no throughput)."""
    ms = [s * 1000 for s in seconds]
    return Result(name, None, percentile(ms, 50), percentile(ms, 99), errors)


def duration(ms: float) -> str:
    if math.isnan(ms):
        return "—"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def table(results: list[Result], floor_rate: float,
          floor_cpu: float | None = None) -> list[str]:
    """The benchmark table (markdown): scenario | req/s | ratio to floor | p50 | p99 | errors,
    and | CPU ms/req | (every measured process together) where any result has it, and | CPU to
    floor's | (that over the floor's CPU per request in the same run) when ``floor_cpu`` is
    given: the machine's speed moves between runs far more than that quotient does."""
    with_cpu = any(result.cpu_ms for result in results)
    relative = with_cpu and bool(floor_cpu)
    lines = ["| scenario | req/s | ratio to floor | p50 | p99 | errors |"
             + (" CPU ms/req |" if with_cpu else "") + (" CPU to floor's |" if relative else ""),
             "| --- | --- | --- | --- | --- | --- |" + (" --- |" if with_cpu else "")
             + (" --- |" if relative else "")]
    for result in results:
        if result.rate is None:
            rate = ratio = "—"
        else:
            rate = f"{result.rate:.1f}"
            ratio = f"{result.rate / floor_rate:.2f}×" if floor_rate else "—"
        cpu = f" {result.cpu_total:.1f} |" if result.cpu_ms else " — |"
        to_floor = f" {result.cpu_total / floor_cpu:.2f}× |" if result.cpu_ms and floor_cpu \
            else " — |"
        lines.append(f"| {result.name} | {rate} | {ratio} | {duration(result.p50_ms)} | "
                     f"{duration(result.p99_ms)} | {result.errors} |" + (cpu if with_cpu else "")
                     + (to_floor if relative else ""))
    return lines


def cpu_table(results: list[Result]) -> list[str]:
    """CPU milliseconds per request of each process (markdown), one row per result that has
    them; a process a row did not measure is left blank."""
    measured = [result for result in results if result.cpu_ms]
    names: list[str] = []
    for result in measured:
        names += [name for name in result.cpu_ms if name not in names]
    lines = ["| scenario | " + " | ".join(names) + " | all |",
             "| --- |" + " --- |" * (len(names) + 1)]
    for result in measured:
        cells = [f"{result.cpu_ms[n]:.2f}" if n in result.cpu_ms else "" for n in names]
        lines.append(f"| {result.name} | " + " | ".join(cells) + f" | {result.cpu_total:.1f} |")
    return lines


def run(name: str, port: int, method: str, path: str, *, body: bytes | None = None,
        headers: dict[str, str] | None = None, concurrency: int = 20,
        seconds: float = 10.0) -> Result:
    if shutil.which("wrk"):
        return _wrk(name, port, method, path, body, headers or {}, concurrency, seconds)
    return _python(name, port, method, path, body, headers or {}, concurrency, seconds)


def _wrk(name, port, method, path, body, headers, concurrency, seconds) -> Result:  # noqa: ANN001
    script = [f'wrk.method = "{method}"']
    if body is not None:
        script.append(f"wrk.body = [==[{body.decode()}]==]")
    script += [f'wrk.headers["{key}"] = "{value}"' for key, value in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write("\n".join(script))
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s",
             "--latency", "--timeout", "10s", "-s", lua.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return Result(name, rate, latency("50"), latency("99"), errors)


def _python(name, port, method, path, body, headers, concurrency, seconds) -> Result:  # noqa: ANN001
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    result = timed(name, latencies, errors)
    result.rate = len(latencies) / elapsed
    return result
