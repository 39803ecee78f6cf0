"""The OpenAPI document as a contract a fuzzer can hold the gateway to: valid OpenAPI 3, every
status code a route can answer declared, patterns a JSON Schema tool can read, and links that
let a client chain create → read → act; and every route is fuzzed by some kind of caller."""
from __future__ import annotations

import re
import warnings

import pytest
from openapi_spec_validator import validate

from gateway.openapi import _ecma_pattern, document, operation_id, path_parameters
from gateway.service import API
from tests.fuzz.runner import CALLERS

# Path parameters only an e-mail or the page itself gives: no answer of the API names them.
FROM_OUTSIDE = {"token", "name"}


@pytest.fixture(scope="module")
def spec() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return document(API)


def operations(spec: dict):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)


def test_every_operation_taking_an_id_is_reached_by_a_link(spec):
    linked = {link["operationId"] for _, _, operation in operations(spec)
              for answer in operation["responses"].values()
              for link in answer.get("links", {}).values()}
    unreached = [f"{method.upper()} {path}" for path, method, operation in operations(spec)
                 if set(path_parameters(path)) - FROM_OUTSIDE
                 and operation["operationId"] not in linked]
    assert unreached == []


def test_every_link_fills_every_path_parameter_of_an_existing_operation(spec):
    by_id = {operation["operationId"]: path for path, _, operation in operations(spec)}
    for path, method, operation in operations(spec):
        for status, answer in operation["responses"].items():
            for name, link in answer.get("links", {}).items():
                assert status.startswith("2"), (path, method, status)
                target = by_id[link["operationId"]]
                assert set(link["parameters"]) == set(path_parameters(target)), (path, name)
                for expression in link["parameters"].values():
                    assert re.fullmatch(r"\$response\.body#(/\w+)+|\$request\.path\.\w+",
                                        expression), expression
                    if expression.startswith("$request.path."):
                        assert expression.split(".")[-1] in path_parameters(path)


def test_a_created_authorization_request_links_to_reading_submitting_and_deciding_it(spec):
    links = spec["paths"]["/api/v1/authorization-requests"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    for route in API.routes:
        if route.path.startswith("/api/v1/authorization-requests/{id}"):
            assert operation_id(route) in targets
    read = links[operation_id(next(r for r in API.routes if r.endpoint ==
                                   "GET /api/v1/authorization-requests/{id}"))]
    assert read["parameters"] == {"id": "$response.body#/id"}


def test_every_route_declares_its_success_and_the_refusals_it_can_answer(spec):
    for route in API.routes:
        responses = spec["paths"][route.path][route.method.lower()]["responses"]
        assert "default" not in responses, route.endpoint  # a catch-all would hide any status
        assert str(route.status) in responses, route.endpoint
        if not route.public:
            assert {"401", "403"} <= set(responses), route.endpoint
        if route.body is not None:
            assert {"400", "415", "422"} <= set(responses), route.endpoint
        if route.path.startswith("/api/v1/"):
            assert {"404", "429", "503"} <= set(responses), route.endpoint
            problem = responses["503"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize("python, ecma", [
    (r"(?s).*\S", r"^[\s\S]*\S"),
    (r"\d{8}\Z", r"^\d{8}$"),
    (r"^[A-Z]$", r"^[A-Z]$"),
])
def test_patterns_are_anchored_like_marshmallow_and_spelled_for_json_schema(python, ecma):
    assert _ecma_pattern(python) == ecma


def test_no_pattern_uses_python_only_syntax(spec):
    found = re.findall(r'"pattern": "((?:[^"\\]|\\.)*)"', str(spec).replace("'", '"'))
    assert found
    for pattern in found:
        assert "(?" not in pattern and "\\Z" not in pattern, pattern
        assert pattern.startswith("^"), pattern


def test_every_route_is_fuzzed_by_some_kind_of_caller():
    unfuzzed = [route.endpoint for route in API.routes
                if not any(caller.may_call(route) for caller in CALLERS)]
    assert unfuzzed == []


def test_the_stream_declares_it_takes_a_bearer_token_or_a_ticket(spec):
    """Public to the route table (its handler checks the credentials), but not to a client:
    API.md says the stream takes the Bearer header or ``?ticket=``."""
    stream = spec["paths"]["/api/v1/notifications/stream"]["get"]
    assert stream["security"] == [{"bearer": []}, {"ticket": []}]
    ticket = spec["components"]["securitySchemes"]["ticket"]
    assert (ticket["type"], ticket["in"], ticket["name"]) == ("apiKey", "query", "ticket")
    # the credential is described once, by its scheme, not again as a plain parameter
    assert "ticket" not in {p["name"] for p in stream["parameters"] if p["in"] == "query"}
    assert "last_event_id" in {p["name"] for p in stream["parameters"] if p["in"] == "query"}

