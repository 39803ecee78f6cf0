"""The rules every request schema keeps (gateway.api.Input, gateway.fields): unknown fields are
refused, every error comes in one answer, text is trimmed and free of control characters, blank
text is missing, booleans are JSON booleans."""
from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from marshmallow import ValidationError, fields, validate, validates_schema
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.api import Api, Input
from gateway.fields import CONTROLS
from gateway.problems import flatten
from gateway.service import API as WHOLE


class Contact(Input):
    phone = fields.String(required=True, validate=validate.Length(max=20))


class Visit(Input):
    title = fields.String(required=True, validate=validate.Length(max=200))
    notes = fields.String(validate=validate.Length(max=4000))
    draft = fields.Boolean()
    tags = fields.List(fields.String(validate=validate.Length(max=20)))
    contact = fields.Nested(Contact)
    starts = fields.Integer(required=True)
    ends = fields.Integer(required=True)

    @validates_schema
    def _in_order(self, data: dict, **kwargs) -> None:
        if data["ends"] < data["starts"]:
            raise ValidationError("Must not end before it starts.", "ends")


def _errors(schema: type, data: dict) -> dict[str, list[str]]:
    try:
        schema().load(data)
    except ValidationError as refused:
        return flatten(refused.messages)
    return {}


VALID = {"title": "Consulta", "starts": 1, "ends": 2}


def test_unknown_fields_are_refused_with_the_other_errors_in_one_answer():
    errors = _errors(Visit, {"title": "", "starts": 1, "ends": 2, "payment_id": "x",
                             "contact": {"phone": "1" * 30, "foo": 1}, "draft": "yes"})
    assert errors["payment_id"] == ["unknown field"]
    assert errors["contact.foo"] == ["unknown field"]
    assert set(errors) == {"payment_id", "contact.foo", "contact.phone", "title", "draft"}


def test_schema_checks_run_even_when_a_field_failed():
    errors = _errors(Visit, {"title": "x" * 300, "starts": 5, "ends": 1})
    assert set(errors) == {"title", "ends"}
    # a check that needs a field that failed has nothing to say, and is no 500
    assert set(_errors(Visit, {"title": "ok", "starts": "x", "ends": 1})) == {"starts"}


def test_nothing_is_checked_in_a_second_stage():
    errors = _errors(Visit, {"title": "a\x00b", "starts": 5, "ends": 1, "extra": 1})
    assert set(errors) == {"title", "ends", "extra"}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None, "false"])
def test_booleans_are_json_booleans(value):
    assert set(_errors(Visit, {**VALID, "draft": value})) == {"draft"}


def test_json_booleans_load():
    assert Visit().load({**VALID, "draft": False})["draft"] is False


@pytest.mark.parametrize("title", [" \u200b ", "   ", "\u3164", "\ufeff\u2060"])
def test_text_made_only_of_invisible_characters_is_missing(title):
    assert _errors(Visit, {**VALID, "title": title}) == {
        "title": ["Missing data for required field."]}


def test_text_is_trimmed_of_white_space_and_invisible_characters():
    loaded = Visit().load({**VALID, "title": " \u200bConsulta de rotina\t ".replace("\t", ""),
                           "tags": [" a "]})
    assert loaded["title"] == "Consulta de rotina" and loaded["tags"] == ["a"]


@pytest.mark.parametrize("title", ["a\x01b", "a\x1bb", "a\tb", "a\x7fb", "\x85x"])
def test_control_characters_are_refused(title):
    assert set(_errors(Visit, {**VALID, "title": title})) == {"title"}


def test_line_breaks_only_in_multi_line_text():
    assert _errors(Visit, {**VALID, "title": "one\ntwo"}) == {"title": ["Must be a single line."]}
    assert Visit().load({**VALID, "notes": "one\r\ntwo\n"})["notes"] == "one\r\ntwo"
    assert set(_errors(Visit, {**VALID, "notes": "one\x0btwo"})) == {"notes"}


def test_passwords_are_kept_as_typed():
    class Password(Input):
        password = fields.String(required=True)
    assert Password().load({"password": " se\tcret "}) == {"password": " se\tcret "}
    assert set(_errors(Password, {"password": "a\x00"})) == {"password"}


def _body_schemas() -> list:
    return [pytest.param(route.body_schema, id=route.endpoint)
            for route in WHOLE.routes if route.body_schema is not None]


@pytest.mark.parametrize("schema", _body_schemas())
def test_every_endpoint_refuses_an_unknown_field(schema):
    try:
        schema.load({"zz_not_a_field": 1})
    except ValidationError as refused:
        assert flatten(refused.messages)["zz_not_a_field"] == ["unknown field"]
    else:
        pytest.fail("an unknown field was accepted")


@pytest.mark.parametrize("schema", _body_schemas())
def test_every_boolean_of_every_endpoint_is_strict(schema):
    booleans = [name for name, field in schema.load_fields.items()
                if isinstance(field, fields.Boolean)]
    for name in booleans:
        with pytest.raises(ValidationError) as refused:
            schema.load({schema.load_fields[name].data_key or name: "true"})
        assert (schema.load_fields[name].data_key or name) in refused.value.messages


def _dispatch(path: str, body: dict, query: str = ""):
    api = Api()
    api.route("POST", "/visits", public=True, body=Visit)(lambda call: call.body)
    api.route("GET", "/visits", public=True, query=type("Q", (Input,), {
        "open": fields.Boolean(), "limit": fields.Integer()}))(lambda call: call.query)
    environ = EnvironBuilder(path=path + query, method="POST" if body is not None else "GET",
                             data=json.dumps(body) if body is not None else None,
                             content_type="application/json").get_environ()
    return api.dispatch(Request(environ), None, None, None)


def test_the_problem_names_every_field():
    answer = _dispatch("/visits", {"title": " ", "starts": 2, "ends": 1, "colour": "red"})
    assert answer.status_code == 422
    assert json.loads(answer.get_data())["errors"] == {
        "title": ["Missing data for required field."], "ends": ["Must not end before it starts."],
        "colour": ["unknown field"]}


def test_queries_spell_booleans_as_text_and_ignore_parameters_they_do_not_name():
    answer = _dispatch("/visits", None, "?open=true&utm_source=mail")
    assert answer.status_code == 200 and json.loads(answer.get_data()) == {"open": True}
    assert _dispatch("/visits", None, "?open=maybe&limit=x").status_code == 422


def test_fields_that_parse_their_text_get_it_untrimmed_but_clean():
    class Amount(fields.String):
        def _deserialize(self, value, attr, data, **kwargs):
            if value != value.strip():
                raise ValidationError("No spaces around an amount.")
            return value

    class Payment(Input):
        amount = Amount(required=True)
    assert set(_errors(Payment, {"amount": " 12.00"})) == {"amount"}
    assert _errors(Payment, {"amount": "\u200b "}) == {
        "amount": ["Missing data for required field."]}
    assert set(_errors(Payment, {"amount": "12\x0b"})) == {"amount"}
    assert Payment().load({"amount": "12.00"}) == {"amount": "12.00"}


def test_a_schema_check_that_asks_for_a_failed_field_says_nothing():
    class Search(Input):
        name = fields.String(validate=validate.Length(min=3))
        email = fields.String()

        @validates_schema
        def _one_criterion(self, data: dict, **kwargs) -> None:
            if not any(data.get(key) for key in ("name", "email")):
                raise ValidationError({"_schema": ["Give a name or an e-mail."]})
    assert _errors(Search, {"name": "ab"}) == {"name": ["Shorter than minimum length 3."]}
    assert _errors(Search, {}) == {"_body": ["Give a name or an e-mail."]}
    assert set(_errors(Search, {"name": "ab", "colour": 1})) == {"name", "colour"}


def test_the_control_characters_searched_for_are_unicode_s_category_cc_whole():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(CONTROLS.findall(every)) == {c for c in every if unicodedata.category(c) == "Cc"}
