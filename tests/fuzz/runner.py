"""schemathesis against a running stack, once per kind of caller, through its command line.

Each caller fuzzes the operations its account kind or staff role may call (the others only
answer 403, which the permission-matrix test covers); anonymous callers fuzz the public ones.
Every run has the four checks below and all four phases; the stateful phase follows the
OpenAPI links of gateway/openapi.py, so it creates objects and then reads and acts on them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gateway.api import Route
from gateway.openapi import operation_id

CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "ignored_auth")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Ends the caller's own session: every later request of the run would be a 401.
NEVER_WITH_A_TOKEN = {"DELETE /api/v1/sessions/current"}


@dataclass(frozen=True)
class Caller:
    name: str
    kind: str | None  # None: anonymous
    roles: tuple[str, ...] = ()
    only: frozenset[str] = frozenset()  # these endpoints and no other

    def may_call(self, route: Route) -> bool:
        """What gateway.auth.require_kind lets through (admin passes every staff-role check)."""
        if self.only:
            return route.endpoint in self.only
        if self.kind is None:
            return route.public
        if route.public or route.endpoint in NEVER_WITH_A_TOKEN:
            return False
        if not route.kinds and not route.roles:
            return True
        staff_role = self.kind == "staff" and (
            "admin" in self.roles or bool(set(self.roles) & set(route.roles)))
        return self.kind in route.kinds or (bool(route.roles) and staff_role)


# In this order: those who only read and add go before those who may end or withdraw what the
# others act on (a provider may end its secretaries' relationships, a manager unpublish).
CALLERS = (
    Caller("anonymous", None),
    Caller("citizen", "citizen"),
    Caller("secretary-commercial", "secretary"),  # holds only commercial
    Caller("secretary", "secretary"),  # holds every provider role
    Caller("provider", "provider"),
    Caller("attendant", "staff", ("servant",)),
    Caller("auditor", "staff", ("auditor",)),
    Caller("operator", "staff", ("operator",)),
    Caller("manager", "staff", ("manager",)),
    Caller("admin", "staff", ("admin",)),
    # a session of its own, for the endpoint that ends it
    Caller("citizen-signing-out", "citizen", only=frozenset(NEVER_WITH_A_TOKEN)),
)


@dataclass
class Outcome:
    caller: str
    operations: int
    cases: int
    failures: list
    errors: list
    seconds: float
    exit_code: int
    output: str

    @property
    def line(self) -> str:
        return (f"{self.caller:<22} {self.operations:>4} operations {self.cases:>6} cases "
                f"{len(self.failures):>3} failures {len(self.errors):>3} errors "
                f"{self.seconds:>6.0f} s")


def run(base_url: str, caller: Caller, token: str | None, routes: list[Route], *,
        max_examples: int, workdir: Path, phases: tuple[str, ...] = PHASES,
        seed: int | None = None, max_time: int | None = None,
        fixed: dict[str, dict[str, str]] | None = None) -> Outcome:
    """One ``schemathesis run`` as ``caller`` over the operations it may call. ``fixed``: path
    regex → {path parameter: value}, an object of the caller's own for the operations under
    that path, so their bodies and queries are fuzzed against it rather than only answering
    404 for a random id."""
    chosen = [route for route in routes if caller.may_call(route)]
    if caller.only:  # nothing to chain
        phases = tuple(phase for phase in phases if phase != "stateful")
    report = workdir / f"schemathesis-{caller.name}.json"
    config = workdir / "schemathesis.toml"
    lines = [  # the stateful phase gets more scenarios than one per operation
        "[phases.stateful]", "max-steps = 12", "[phases.stateful.generation]",
        f"max-examples = {max_examples * 6}"]
    for regex, values in (fixed or {}).items():
        lines += ["[[operations]]", f"include-path-regex = {json.dumps(regex)}",
                  "parameters = {" + ", ".join(f'"path.{name}" = {json.dumps(value)}'
                                               for name, value in values.items()) + "}"]
    config.write_text("\n".join(lines) + "\n")
    command = [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config),
               "run",
               f"{base_url}/api/openapi.json", "--checks", ",".join(CHECKS),
               "--phases", ",".join(phases), "--max-examples", str(max_examples),
               "--workers", "1", "--request-timeout", "30", "--no-shrink",
               "--suppress-health-check", "all", "--warnings", "off",
               "--report", "json", "--report-json-path", str(report)]
    for route in chosen:  # an exact list: an operation added later is fuzzed by whoever may
        command += ["--include-operation-id", operation_id(route)]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    if seed is not None:
        command += ["--seed", str(seed)]
    if max_time:
        command += ["--max-time", str(max_time)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir,
                          env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"})
    (workdir / f"schemathesis-{caller.name}.txt").write_text(done.stdout + done.stderr)
    data = json.loads(report.read_text()) if report.exists() else {}
    return Outcome(caller.name, len(chosen), data.get("test_cases", {}).get("generated", 0),
                   data.get("failures", []), data.get("errors", []),
                   data.get("running_time", 0.0), done.returncode, done.stdout + done.stderr)
