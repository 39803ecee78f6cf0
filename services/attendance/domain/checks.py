"""Every field error in one answer: independent checks all run, and their errors come back
together (issue 17, item 4), never a first batch and a second one after a retry. What the edge
already found wrong with the form (``ponte.contracts.forms.FORM_ERRORS``) joins them."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ponte.errors import InvalidInput

Found = Mapping[str, list[str]] | None
"""The form's errors the edge found (``{field: [message, ...]}``), or None."""


def every_error(*checks: Callable[[], Any], found: Found = None) -> list[Any]:
    """The results of ``checks``, or one InvalidInput holding the errors of all that failed
    and those ``found`` in the form (so it always raises when ``found`` names any): nothing is
    acted on while any error exists."""
    results: list[Any] = []
    failed: list[InvalidInput] = []
    for check in checks:
        try:
            results.append(check())
        except InvalidInput as exc:
            failed.append(exc)
            results.append(None)
    if len(failed) == 1 and not found:
        raise failed[0]
    if failed or found:
        errors: dict[str, Any] = {str(key): list(value) for key, value in (found or {}).items()}
        for exc in failed:
            for key, value in exc.errors.items():
                errors[key] = errors.get(key, []) + (value if isinstance(value, list)
                                                     else [value])
        raise InvalidInput("Some fields are not valid.", errors)
    return results


def refused(found: Found, field: str) -> bool:
    """Whether the edge refused ``field`` or a part of it (``attachment_ids.0``): it is absent
    from the valid part, and no rule about it runs."""
    return any(name == field or name.startswith(f"{field}.") for name in found or {})
