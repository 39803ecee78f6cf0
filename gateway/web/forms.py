"""The form error pattern every screen uses (PORTAL.md principle 6): every error the API returns,
at once, in a summary at the top and beside its field, in the person's language, with what was
typed kept (never a password).

A screen posts the form to the API with :meth:`Screen.api`; on a 400/409/422 it renders the
form again with ``errors=form_errors(answer, FIELDS)`` and ``values=kept(form)``. The templates'
macros (``form.html``: ``summary``, ``field``, ``choice``, ``checkbox``, ``csrf``) show them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.web.client import Answer

BODY = "_body"  # errors that belong to no field: listed in the summary and above the button
FORM_ERROR_STATUSES = (400, 409, 422)


def form_errors(answer: Answer, fields: Mapping[str, str] | None = None,
                known: set[str] | None = None) -> dict[str, list[str]]:
    """The problem document's ``errors`` keyed by form field. ``fields`` renames API keys
    (dotted, e.g. ``contact.name`` or ``items.0.tooth``) to the form's field names where they
    differ; with ``known`` (the form's field names) an error of a key the form does not show
    goes to ``_body``, so nothing the API said is lost. A problem without field errors gives
    its ``detail`` under ``_body``."""
    fields = fields or {}
    mapped: dict[str, list[str]] = {}
    for key, messages in answer.errors.items():
        name = fields.get(key, key)
        if known is not None and name not in known and name != BODY:
            messages = [f"{key}: {message}" for message in messages]
            name = BODY
        mapped.setdefault(name, []).extend(messages)
    return mapped


def kept(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the person typed, to fill the form again: every field but passwords."""
    return {key: value for key, value in form.items()
            if "password" not in key and key != "csrf"}


def field_id(name: str) -> str:
    """The HTML id of a field named ``name`` (dots of nested names become dashes)."""
    return name.replace(".", "-")
