"""Every field error in one answer (issue 17 item 4). A form whose service adds rules of its
own (the password policy, what completing a site requires, whether an id is a secretary) is
loaded without refusing at the edge: what the schema found travels to the service with the
valid part of the form (``ponte.contracts.forms.FORM_ERRORS``), and the service answers the
schema's errors and its own together. The schema stays the route's ``body`` for the OpenAPI
document and the only place shapes are checked."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from gateway.api import Api, holds_nul
from gateway.problems import flatten
from ponte.contracts.forms import FORM_ERRORS

NUL = "Must not contain the NUL character."


class Forwarding:
    """Loads like ``schema``; a refused form becomes its valid part plus ``FORM_ERRORS``."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def load(self, data: Any) -> dict[str, Any]:
        try:
            return self.schema.load(data)
        except ValidationError as refused:
            errors = flatten(refused.messages)
            valid = refused.valid_data if isinstance(refused.valid_data, dict) else {}
            for name in [name for name, value in valid.items() if holds_nul(value)]:
                errors.setdefault(name, []).append(NUL)
                del valid[name]
            return {**valid, FORM_ERRORS: errors}


def forward_form_errors(api: Api, *endpoints: str) -> None:
    """Make these routes (``"POST /api/v1/citizens"``) hand their form's errors over."""
    routes = [route for route in api.routes if route.endpoint in endpoints]
    assert len(routes) == len(endpoints), "an endpoint named is not a route"  # nosec B101
    for route in routes:
        route.body_schema = Forwarding(route.body_schema)
