"""Password policy and hashing (000): at least 6 characters with a letter, a digit and a special
character; stored only as an argon2id hash."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ponte.errors import InvalidInput

MIN_LENGTH = 6
MAX_LENGTH = 128


def policy_errors(password: Any) -> list[str]:
    """What the password lacks under the policy; empty when it is acceptable (000)."""
    if not isinstance(password, str):
        return ["Must be a string."]
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        errors.append(f"Use at most {MAX_LENGTH} characters.")
    if not any(c.isalpha() for c in password):
        errors.append("Include at least one letter.")
    if not any(c.isdigit() for c in password):
        errors.append("Include at least one digit.")
    if not any(not c.isalnum() and not c.isspace() for c in password):
        errors.append("Include at least one special character, such as # or !.")
    return errors


def wrong_current_password() -> InvalidInput:
    """Every endpoint asking for the current password answers a wrong one like this (API.md)."""
    return InvalidInput("The current password is not correct.",
                        {"current_password": ["The current password is not correct."]})


def hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    """argon2id with the given cost. Ponte's default, 19 MiB and 2 passes with one lane, is
    OWASP's recommended minimum for argon2id: about 25 ms here, against 130 ms for argon2-cffi's
    64 MiB / 3 passes / 4 lanes, which capped sign-ins at 7 per second on two cores."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


class Passwords:
    """argon2id hashes. ``run`` executes the hashing (a thread pool keeps the event loop free);
    verifying against no hash still spends the time of a real check, so an unknown login cannot
    be told from a wrong password by the answer's delay. Hashes carry their own parameters, so
    a changed cost applies to new hashes and, through ``needs_rehash``, at the next sign-in."""

    def __init__(self, hasher: PasswordHasher | None = None,
                 run: Callable[..., Any] | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._run = run or (lambda function, *args: function(*args))
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._run(self._hasher.hash, password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        if not isinstance(password, str):
            password = ""  # nosec B105 # missing reads as empty
        if password_hash is None:
            if self._dummy is None:
                self._dummy = self._hasher.hash("dummy password #1")
            self._check(self._dummy, password + "\x00")
            return False
        return self._check(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._run(self._hasher.verify, password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
