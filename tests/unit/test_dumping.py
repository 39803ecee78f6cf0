"""The planned dump of every route's response schema writes exactly what marshmallow's
``Schema.dump`` writes (gateway/dumping.py), for answers as services send them and for values of
the wrong type, missing keys and keys the contract does not have."""
from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

from gateway.dumping import dumper
from gateway.service import API

SCHEMAS = {f"{type(schema).__module__}.{type(schema).__name__}": schema
           for schema in (route.response for route in API.routes) if schema is not None}
TEXT = st.text(max_size=8)
JSONISH = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), TEXT)


def value_of(field: fields.Field, depth: int) -> st.SearchStrategy[Any]:
    """A value as a service would send it, or one of another type."""
    if isinstance(field, fields.Nested):
        inner = obj_of(field.schema, depth + 1) if depth < 3 else st.just({})
        return st.one_of(st.none(), st.lists(inner, max_size=2)) if field.many \
            else st.one_of(st.none(), inner)
    if isinstance(field, fields.List):
        return st.one_of(st.none(), st.lists(value_of(field.inner, depth), max_size=3))
    if type(field) is fields.String:
        return st.one_of(st.none(), TEXT, st.integers(0, 99))
    if type(field) is fields.Integer:
        return st.one_of(st.none(), st.integers(-99, 99), st.booleans(),
                         st.integers(0, 9).map(str))
    if type(field) is fields.Boolean:
        return st.one_of(st.none(), st.booleans(), st.sampled_from([0, 1, "true", "no"]))
    return JSONISH


def obj_of(schema: Schema, depth: int = 0) -> st.SearchStrategy[dict]:
    """An answer with any of the schema's keys, some absent, and a key it does not have."""
    keys = {name: value_of(field, depth) for name, field in schema.dump_fields.items()}
    return st.fixed_dictionaries({}, optional={**keys, "not_in_contract": JSONISH})


def outcome(dump: Any, obj: Any) -> str:
    try:
        return json.dumps(dump(obj))  # keeps the key order
    except Exception as exc:  # noqa: BLE001 - both must fail alike
        return f"raised {type(exc).__name__}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_response_is_dumped_as_marshmallow_dumps_it(name: str) -> None:
    schema = SCHEMAS[name]
    planned = dumper(schema)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(obj_of(schema))
    def same(obj: dict) -> None:
        assert outcome(planned, obj) == outcome(schema.dump, obj)
    same()


def test_fields_read_otherwise_than_by_key_take_marshmallow_s_path() -> None:
    class Odd(Schema):
        renamed = fields.String(attribute="source")
        defaulted = fields.String(dump_default="none given")
        constant = fields.Constant("always")
        keyed = fields.String(data_key="kept-as")
        when = fields.Date()

    schema = Odd()
    obj = {"source": 7, "keyed": "x", "renamed": "not this one"}
    assert dumper(schema)(obj) == schema.dump(obj) == {
        "renamed": "7", "defaulted": "none given", "constant": "always", "kept-as": "x"}


def test_a_page_s_contract_filters_what_the_service_added() -> None:
    page = SCHEMAS["gateway.authorizations.schemas.RequestList"]
    answer = {"items": [{"id": "r1", "status": "authorized", "secret": "no",
                         "beneficiary": {"name": "Ana", "cpf_hash": "no"}}],
              "next_cursor": None, "debug": True}
    assert dumper(page)(answer) == {"items": [{"id": "r1", "status": "authorized",
                                               "beneficiary": {"name": "Ana"}}],
                                    "next_cursor": None}
