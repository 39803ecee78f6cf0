"""Every field error of a body in one answer (API.md, issue 17 item 4): the gateway forwards the
valid part of a refused body with what its schema found (``FORM_ERRORS``); the rules here run
on that valid part and the answer names both."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ponte.contracts.forms import FORM_ERRORS
from ponte.errors import InvalidInput


def form_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """What the gateway's schema refused in ``data`` (``{}`` when the body was valid)."""
    found = data.get(FORM_ERRORS)
    if not isinstance(found, Mapping):
        return {}
    return {str(field): [str(m) for m in (messages if isinstance(messages, list)
                                           else [messages])]
            for field, messages in found.items()}


def refused(errors: Mapping[str, Any], field: str) -> bool:
    """Whether ``field``, a part of it or what holds it has an error already (``items.0.faces.1``
    and ``items`` both touch ``items.0.faces``)."""
    return any(name == field or name.startswith(f"{field}.") or field.startswith(f"{name}.")
               for name in errors)


def together(form: Mapping[str, list[str]],
             rules: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The schema's errors and the rules' on fields the schema did not refuse (a refused field
    is absent from the valid part: a rule about it would only repeat "required")."""
    return {**{field: messages for field, messages in rules.items()
               if not refused(form, field)}, **form}


def raise_if_any(errors: Mapping[str, list[str]]) -> None:
    """One 422 naming every field in ``errors`` (the gateway translates this detail); nothing
    when there is none."""
    if errors:
        raise InvalidInput("Some fields are invalid: " + ", ".join(sorted(errors)) + ".",
                           dict(errors))
