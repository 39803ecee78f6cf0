"""A small closed-loop HTTP load generator: N workers, each on a keep-alive connection, for a
fixed time; prints throughput, latency percentiles and errors."""
from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

Request = Callable[[int], tuple[str, str, bytes | None, dict]]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    def line(self, floor: "Result | None" = None) -> str:
        ratio = f"  {self.rate / floor.rate:.2f}x floor" if floor and floor.rate else ""
        return (f"{self.name:<28} {self.rate:8.1f} req/s  p50 {self.percentile(50):7.1f} ms  "
                f"p99 {self.percentile(99):7.1f} ms  errors {self.errors}{ratio}")


def run(name: str, host: str, port: int, request: Request, *, concurrency: int = 20,
        seconds: float = 10.0, expect: int = 200) -> Result:
    result = Result(name)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        latencies, errors, n = [], 0, 0
        while time.monotonic() < deadline:
            method, path, body, headers = request(index * 1_000_000 + n)
            n += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expect
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
