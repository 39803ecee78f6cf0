"""Every field error in one answer: independent checks all run, and their errors come back
together (issue 17, item 4), never a first batch and a second one after a retry."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ponte.errors import InvalidInput


def every_error(*checks: Callable[[], Any]) -> list[Any]:
    """The results of ``checks``, or one InvalidInput holding the errors of all that failed."""
    results: list[Any] = []
    failed: list[InvalidInput] = []
    for check in checks:
        try:
            results.append(check())
        except InvalidInput as exc:
            failed.append(exc)
            results.append(None)
    if len(failed) == 1:
        raise failed[0]
    if failed:
        raise InvalidInput("Some fields are not valid.",
                           {key: value for exc in failed for key, value in exc.errors.items()})
    return results
