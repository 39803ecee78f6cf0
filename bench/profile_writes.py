"""Where a write's CPU goes: py-spy samples the gateway, the service that takes the write and
notifications while the two submission scenarios of ``make bench`` run in the distributed mode
(POST /api/v1/authorization-requests, 3 items authorized at once; a citizen's POST
/api/v1/services/{id}/requests) and, with ``--list``, the clinic's GET of its list (a page of
50, after the submissions) and, with ``--reads``, the clinic's inbox and bulletins (notifications
answers them), and prints for each process its hottest functions by own time
(the leaf frame sampled) and Ponte's own frames by inclusive time.

Samples are taken with ``--gil`` (the thread holding the GIL: CPU, not waiting) from the load's
start until a few seconds after it, so the events the writes leave behind are in the profile.
Run: ``.venv/bin/python bench/profile_writes.py [--seconds 15] [--concurrency 20] [--top 15]
[--list] [--reads] [--keep DIR]`` (``--keep``: py-spy's raw stacks stay in DIR, one file per
scenario and process, for a flame graph or a closer look).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness  # noqa: E402
from bench.all import TOKEN_TTL, bulletin_read, service_request  # noqa: E402
from bench.authorizations import LIST, SUBMIT, Provider  # noqa: E402
from bench.harness import Call  # noqa: E402
from bench.sessions_me import Citizen  # noqa: E402
from tests.e2e.test_authorizations import Desk  # noqa: E402
from tests.stack import BIN  # noqa: E402

OWN_CODE = re.compile(r"\((?:.*/)?(?:ponte|services|gateway)/[^)]*\)")
TAIL_SECONDS = 5  # after the load: the events it left behind


def py_spy() -> str:
    found = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(found).exists():
        sys.exit("py-spy is not installed (.venv/bin/pip install py-spy)")
    return found


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    return subprocess.Popen([py_spy(), "record", "--pid", str(pid), "--duration",
                             str(int(seconds)), "--rate", "100", "--gil", "--nonblocking",
                             "--format", "raw", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def frames(raw: Path) -> tuple[Counter, Counter, int]:
    """(own samples per leaf frame, inclusive samples per frame of Ponte's code, all samples)."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in raw.read_text().splitlines() if raw.exists() else []:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n, calls = int(count), stack.split(";")
        total += n
        own[_short(calls[-1])] += n
        for frame in {_short(c) for c in calls if OWN_CODE.search(c)}:
            inclusive[frame] += n
    return own, inclusive, total


def _short(frame: str) -> str:
    """``function (path/to/file.py:line)`` without the directories before the package."""
    return re.sub(r"\(.*?/((?:ponte|services|gateway|site-packages)/)", r"(\1", frame) \
        .replace("(site-packages/", "(")


def report(title: str, raw: Path, top: int) -> list[str]:
    own, inclusive, total = frames(raw)
    lines = [f"#### {title}: {total} samples", "", "| own time | function |", "| --- | --- |"]
    lines += [f"| {100 * n / max(total, 1):.1f} % | `{frame}` |"
              for frame, n in own.most_common(top)]
    lines += ["", "| inclusive | Ponte's frame |", "| --- | --- |"]
    lines += [f"| {100 * n / max(total, 1):.1f} % | `{frame}` |"
              for frame, n in inclusive.most_common(top)]
    return lines + [""]


def main() -> None:
    parser = harness.options(__doc__)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--list", action="store_true",
                        help="also profile GET /api/v1/authorization-requests (a page of 50)")
    parser.add_argument("--reads", action="store_true",
                        help="also profile the clinic's GET /api/v1/notifications (a page of "
                             "its inbox, filled by the submissions) and GET /api/v1/bulletins")
    parser.add_argument("--keep", type=Path, help="keep py-spy's raw stacks in this folder")
    args = parser.parse_args()
    py_spy()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with harness.distributed(args.seconds, args.concurrency,
                             env={"PONTE_ACCESS_TOKEN_TTL": TOKEN_TTL}) as bench, \
            tempfile.TemporaryDirectory() as temporary:
        out = args.keep or temporary
        citizen = Citizen(bench)
        desk = Desk(bench.stack.client, bench.stack.mail)
        provider = Provider(desk)
        scenarios = [(SUBMIT, provider.submission, "authorizations"),
                     ("POST /api/v1/services/{id}/requests (citizen)",
                      service_request(bench, citizen), "attendance")]
        if args.list:
            scenarios.insert(1, (LIST, provider.listing, "authorizations"))
        if args.reads:
            token = provider.account["token"]
            scenarios += [("GET /api/v1/notifications (clinic's inbox, a page)",
                           Call.of("GET", "/api/v1/notifications", token), "notifications"),
                          ("GET /api/v1/bulletins (clinic)",
                           bulletin_read(bench, desk, provider), "notifications")]
        lines = []
        for name, call, service in scenarios:
            bench.warm_up(call)
            bench.settle()
            spies = {process: (Path(out) / f"{service}-{process}.txt") for process in
                     dict.fromkeys(("gateway", service, "notifications"))}
            running = [record(bench.stack.processes[p].pid, args.seconds + TAIL_SECONDS, raw)
                       for p, raw in spies.items()]
            result = bench.run(name, call, warm_up=False)
            for spy in running:
                spy.wait()
            lines += [f"### {name}: {result.rate:.1f} req/s, CPU ms per request "
                      + ", ".join(f"{p} {ms:.1f}" for p, ms in (result.cpu_ms or {}).items()), ""]
            for process, raw in spies.items():
                lines += report(process, raw, args.top)
        print("\n".join(lines))


if __name__ == "__main__":
    main()
