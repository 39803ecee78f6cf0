"""Closed-loop HTTP load: wrk when it is installed (light on the CPU it shares with the servers),
else a small Python client. Either way: N connections for a fixed time, then throughput,
latency percentiles and errors."""
from __future__ import annotations

import http.client
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
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self, floor: "Result | None" = None) -> str:
        ratio = f"  {self.rate / floor.rate:.2f}x floor" if floor and floor.rate else ""
        return (f"{self.name:<28} {self.rate:8.1f} req/s  p50 {self.p50_ms:7.1f} ms  "
                f"p99 {self.p99_ms:7.1f} ms  errors {self.errors}{ratio}")


def client_name() -> str:
    return "wrk" if shutil.which("wrk") else "python http.client"


def run(name: str, port: int, method: str, path: str, *, body: bytes | None = None,
        headers: dict[str, str] | None = None, concurrency: int = 20,
        seconds: float = 10.0) -> Result:
    if shutil.which("wrk"):
        return _wrk(name, port, method, path, body, headers or {}, concurrency, seconds)
    return _python(name, port, method, path, body, headers or {}, concurrency, seconds)


def _wrk(name, port, method, path, body, headers, concurrency, seconds) -> Result:  # noqa: ANN001
    script = [f'wrk.method = "{method}"']
    if body is not None:
        script.append(f"wrk.body = [[{body.decode()}]]")
    script += [f'wrk.headers["{key}"] = "{value}"' for key, value in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write("\n".join(script))
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{int(seconds)}s", "--latency",
             "--timeout", "10s", "-s", lua.name, f"http://127.0.0.1:{port}{path}"],
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
    ordered = sorted(latencies) or [float("nan")]

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return Result(name, len(latencies) / elapsed, percentile(50), percentile(99), errors)
