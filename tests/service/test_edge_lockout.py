"""The lockout under parallel attempts (issue 7), with password checks that take a while as
argon2 does: wrong passwords cannot overtake the count, right ones are not refused for it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import eventlet
import pytest

from ponte.errors import TooManyAttempts, Unauthenticated
from services.identity.domain import lockout
from services.identity.domain.passwords import Passwords
from services.identity.usecases import context, registration, sessions
from tests.service.test_identity_service import FAST, clock, db, secretary  # noqa: F401


def _slow(function, *args):  # a password check that yields for a while, as in a thread pool
    eventlet.sleep(0.05)
    return function(*args)


@pytest.fixture
def slow_identity(db, clock):  # noqa: F811
    return context(db, Passwords(FAST._hasher, run=_slow), clock)


def _attempts(identity, login: str, password: str, count: int) -> list[str]:
    def attempt(_):
        try:
            sessions.login(identity, login, password)
            return "signed in"
        except Unauthenticated:
            return "401"
        except TooManyAttempts:
            return "429"
    return list(eventlet.GreenPool(count).imap(attempt, range(count)))


def test_parallel_wrong_passwords_check_at_most_ten(slow_identity):
    registration.register(slow_identity, "citizen", {**secretary(email="p@ponte.test"),
                                                     "sex": None})
    outcomes = _attempts(slow_identity, "p@ponte.test", "Wrong#123", 200)
    assert lockout.MAX_FAILURES <= outcomes.count("401") <= lockout.MAX_CHECKED == 10
    assert outcomes.count("429") == 200 - outcomes.count("401")
    with pytest.raises(TooManyAttempts):
        sessions.login(slow_identity, "p@ponte.test", "Secret#1")


def test_parallel_right_passwords_all_sign_in(slow_identity):
    """Many people signing in to one shared site login at the same moment."""
    registration.register(slow_identity, "citizen", {**secretary(email="s@ponte.test"),
                                                     "sex": None})
    assert _attempts(slow_identity, "s@ponte.test", "Secret#1", 20) == ["signed in"] * 20


def test_a_place_left_by_a_dead_process_is_given_back():
    throttle = lockout.Throttle(pending=10)
    start = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert not throttle.has_room
    throttle.forget_stale(start + timedelta(seconds=30), start)
    assert not throttle.has_room
    throttle.forget_stale(start + timedelta(seconds=61), start)
    assert throttle.has_room


def test_failures_and_attempts_in_flight_share_the_limit():
    throttle = lockout.Throttle(failures=4)
    for _ in range(5):
        throttle.begin()
    assert throttle.has_room  # 4 failures + 5 in flight
    throttle.begin()
    assert not throttle.has_room
    throttle.succeeded()
    assert throttle.failures == 0 and throttle.pending == 5 and throttle.has_room
    assert not lockout.Throttle(failures=5).has_room
