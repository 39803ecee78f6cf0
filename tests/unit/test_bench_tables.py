"""The tables ``make bench`` prints: CPU per request beside the floor's, in the same run."""
from __future__ import annotations

from bench.load import Result, table


def result(name: str, rate: float, cpu: dict[str, float]) -> Result:
    return Result(name=name, rate=rate, p50_ms=10.0, p99_ms=20.0, errors=0, cpu_ms=cpu)


def test_cpu_is_also_given_as_a_multiple_of_the_floor_s_in_the_same_run():
    floor = result("floor", 500.0, {"floor 1": 1.0, "floor 2": 2.0})
    write = result("POST", 100.0, {"gateway": 3.0, "service": 9.0})
    lines = table([floor, write], 500.0, floor_cpu=3.0)
    assert lines[0].endswith("| CPU ms/req | CPU to floor's |")
    assert lines[2].endswith("| 3.0 | 1.00× |")
    assert lines[3] == "| POST | 100.0 | 0.20× | 10 ms | 20 ms | 0 | 12.0 | 4.00× |"


def test_without_the_floor_s_cpu_the_column_is_left_out():
    lines = table([result("POST", 100.0, {"gateway": 3.0})], 500.0)
    assert lines[0].endswith("| CPU ms/req |")
