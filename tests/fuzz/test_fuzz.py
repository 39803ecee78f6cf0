"""Property-based fuzzing of the whole HTTP API with real identities (issue 12).

schemathesis reads /api/openapi.json of a running ``ponte up`` and, as each kind of caller with
a valid token, sends generated requests to every operation that caller may use: examples,
boundary values (coverage), random data (fuzzing) and chains that follow the document's links
(stateful: create → read → act). Checks: no 5xx, every answer's status code declared and its
body conforming to the declared schema, and no operation answering without its token.

Bounded here (``make test``); ``make fuzz`` runs the same with more examples per operation
(PONTE_FUZZ_EXAMPLES) and prints the table kept in the README.
"""
from __future__ import annotations

import os

import pytest

from gateway.service import API
from tests.fuzz.runner import CALLERS, Outcome, run
from tests.fuzz.world import identities
from tests.stack import Stack

# Bounded (make test): random and stateful cases only, a few per operation. make fuzz adds the
# coverage phase (boundary values of every schema) and many more examples.
EXAMPLES = int(os.environ.get("PONTE_FUZZ_EXAMPLES", "5"))
PHASES = tuple(os.environ.get("PONTE_FUZZ_PHASES", "examples,fuzzing,stateful").split(","))
MIN_CASES = int(os.environ.get("PONTE_FUZZ_MIN_CASES", "5000"))
SEED = os.environ.get("PONTE_FUZZ_SEED")
OUTCOMES: dict[str, Outcome] = {}


@pytest.fixture(scope="module")
def fuzz_stack(tmp_path_factory):
    """One embedded stack for every caller. Tokens outlive the run, and the per-address and
    per-account rate limits are raised so a run is not only 429s (the lockout stays)."""
    stack = Stack("embedded", tmp_path_factory.mktemp("fuzz"))
    stack.env.update({"PONTE_ACCESS_TOKEN_TTL": "36000", "PONTE_RATE_LIMIT_FACTOR": "1000"})
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def people(fuzz_stack) -> tuple[dict[str, str], dict[str, str]]:
    return identities(fuzz_stack)


def own_objects(caller: str, places: dict[str, str]) -> dict[str, dict[str, str]]:
    """Where a caller's path ids are its own provider, institution or service (the stateful
    phase still reaches everything else through links)."""
    provider = {r"^/api/v1/providers/\{id\}": {"id": places["provider"]},
                r"^/api/v1/providers/\{provider_id\}": {"provider_id": places["provider"]}}
    institution = {r"^/api/v1/institutions/\{id\}": {"id": places["institution"]}}
    service = {r"^/api/v1/services/\{id\}": {"id": places["service"]}}
    return {"provider": provider, "secretary": provider, "secretary-commercial": provider,
            "citizen": {**service, **institution, r"^/api/v1/providers/\{id\}/appointments":
                        {"id": places["provider"]}},
            "anonymous": service, "manager": {**institution, **service},
            "attendant": institution}.get(caller, {})


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
def test_schemathesis_finds_nothing_as(caller, fuzz_stack, people):
    tokens, places = people
    outcome = run(fuzz_stack.client.base_url, caller, tokens.get(caller.name), API.routes,
                  max_examples=EXAMPLES, workdir=fuzz_stack.workdir, phases=PHASES,
                  seed=int(SEED) if SEED else None, fixed=own_objects(caller.name, places))
    OUTCOMES[caller.name] = outcome
    print(outcome.line)
    assert outcome.cases > 0, outcome.output[-6000:]
    assert outcome.exit_code == 0 and not outcome.failures and not outcome.errors, \
        outcome.output[-12000:]
    assert "unhandled error" not in fuzz_stack.log("ponte-up"), \
        fuzz_stack.log("ponte-up")[-6000:]


def test_every_caller_together_generated_enough_cases(fuzz_stack):
    if len(OUTCOMES) < len(CALLERS):
        pytest.skip("runs only after every caller's run")
    table = "\n".join(outcome.line for outcome in OUTCOMES.values())
    total = sum(outcome.cases for outcome in OUTCOMES.values())
    summary = f"{table}\n{'total':<22} {sum(o.operations for o in OUTCOMES.values()):>4} " \
              f"operations {total:>6} cases"
    (fuzz_stack.workdir / "fuzz-summary.txt").write_text(summary + "\n")
    if os.environ.get("PONTE_FUZZ_SUMMARY"):
        with open(os.environ["PONTE_FUZZ_SUMMARY"], "w") as out:
            out.write(summary + "\n")
    print(summary)
    assert total >= MIN_CASES, summary
