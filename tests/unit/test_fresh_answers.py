"""Answers of other services kept a short while (issue 21), with the gateway's freshness rule:
30 s at most, dropped at once by the event that says they changed, never kept when read while
such an event arrived; a write asks identity once, not on every call."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from ponte.freshness import SECONDS, Fresh
from services.authorizations.usecases import lookups


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_for_the_gateways_thirty_seconds():
    clock, asked = Clock(), []
    fresh: Fresh[int] = Fresh(clock=clock)
    fetch = lambda: asked.append(1) or len(asked)  # noqa: E731
    assert [fresh.get("k", fetch), fresh.get("k", fetch)] == [1, 1]
    clock.now += SECONDS - 0.1
    assert fresh.get("k", fetch) == 1
    clock.now += 0.2
    assert fresh.get("k", fetch) == 2
    assert SECONDS == 30.0


def test_forgetting_drops_an_answer_at_once_and_one_read_meanwhile_is_not_kept():
    fresh: Fresh[str] = Fresh(clock=Clock())
    assert fresh.get("k", lambda: "old") == "old"
    fresh.forget("k")
    assert fresh.get("k", lambda: "new") == "new"

    def read_while_it_changes() -> str:
        fresh.forget("k")  # the event arrives while the answer is on its way
        return "stale"
    fresh.forget("k")
    assert fresh.get("k", read_while_it_changes) == "stale"
    assert fresh.get("k", lambda: "fresh") == "fresh"


def test_only_answers_the_rule_keeps_are_kept():
    fresh: Fresh[list[str]] = Fresh(clock=Clock())
    assert fresh.get("p", lambda: ["phones"], keep=lambda m: not m) == ["phones"]
    assert fresh.get("p", lambda: [], keep=lambda m: not m) == []
    assert fresh.get("p", lambda: ["phones"], keep=lambda m: not m) == []


class Rpc:
    def __init__(self, answers: dict) -> None:
        self.answers = answers
        self.calls: list[tuple] = []

    def __call__(self, service: str, method: str, *args):  # noqa: ANN204
        self.calls.append((service, method, *args))
        return self.answers[method](*args)


@pytest.fixture(autouse=True)
def empty_caches():
    lookups.COMPLETE_PROFILES.clear()
    yield
    lookups.COMPLETE_PROFILES.clear()


def test_a_complete_profile_is_asked_of_identity_once_an_incomplete_one_every_time():
    missing = {"incomplete": ["address.street"], "complete": []}
    rpc = Rpc({"get_missing_profile": lambda provider_id: missing[provider_id]})
    ctx = SimpleNamespace(rpc=rpc)
    for _ in range(3):
        assert lookups.missing_profile(ctx, "complete") == []
        assert lookups.missing_profile(ctx, "incomplete") == ["address.street"]
    assert rpc.calls.count(("identity", "get_missing_profile", "complete")) == 1
    assert rpc.calls.count(("identity", "get_missing_profile", "incomplete")) == 3
    missing["incomplete"] = []  # completed: applies at once, nothing was kept
    assert lookups.missing_profile(ctx, "incomplete") == []
