"""The gateway's edge rules that need no service: tokens, revocation, roles, error shapes."""
from __future__ import annotations

import json
import time

import jwt
import pytest
from marshmallow import ValidationError
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.api import Api, Input, PageQuery, fields
from gateway.auth import EdgeAuth, Principal, Revocations, require_kind
from gateway.problems import flatten, problem_response
from ponte.errors import Forbidden, InvalidInput, TooManyAttempts, Unauthenticated
from ponte.tokens import AccessClaims, issue_access_token, new_access_claims, verify_access_token

SECRET = "s" * 48


def _auth() -> EdgeAuth:
    auth = EdgeAuth()
    auth.secret, auth.revocations = SECRET, Revocations(600)
    return auth


def test_a_signed_token_round_trips():
    claims = new_access_claims("acc", "provider", "sid", 600, provider_id="prov")
    back = verify_access_token(issue_access_token(claims, SECRET), SECRET)
    assert (back.account_id, back.kind, back.session_id, back.provider_id) == (
        "acc", "provider", "sid", "prov")


@pytest.mark.parametrize("token", [
    issue_access_token(new_access_claims("a", "citizen", "s", 600), "another secret" * 4),
    issue_access_token(AccessClaims("a", "citizen", "s", int(time.time()) - 700,
                                    int(time.time()) - 100), SECRET),
    "not.a.jwt",
    "",
    jwt.encode({"iss": "ponte", "sub": "a", "sid": 5, "iat": int(time.time()),
                              "exp": int(time.time()) + 60, "rol": 7}, SECRET, algorithm="HS256"),
])
def test_forged_expired_or_garbage_tokens_are_refused(token):
    with pytest.raises(Unauthenticated):
        _auth().authenticate(f"Bearer {token}")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer   "])
def test_missing_or_other_schemes_are_refused(header):
    with pytest.raises(Unauthenticated):
        _auth().authenticate(header)


def test_a_revoked_session_is_refused_at_once():
    auth = _auth()
    token = issue_access_token(new_access_claims("a", "citizen", "sid-1", 600), SECRET)
    assert auth.authenticate(f"Bearer {token}").account_id == "a"
    auth.revocations.revoke(["sid-1"])
    with pytest.raises(Unauthenticated):
        auth.authenticate(f"Bearer {token}")


@pytest.mark.parametrize("kind, roles, route_kinds, route_roles, allowed", [
    ("staff", ("operator",), (), ("operator",), True),
    ("staff", ("admin",), (), ("operator",), True),
    ("staff", ("auditor",), (), ("operator",), False),
    ("provider", (), ("provider", "secretary"), (), True),
    ("citizen", (), ("provider", "secretary"), (), False),
    ("citizen", (), (), (), True),
])
def test_a_route_admits_only_its_kinds_and_roles(kind, roles, route_kinds, route_roles, allowed):
    principal = Principal(new_access_claims("a", kind, "s", 60, roles=roles))
    if allowed:
        require_kind(principal, route_kinds, route_roles)
    else:
        with pytest.raises(Forbidden):
            require_kind(principal, route_kinds, route_roles)


def test_nested_validation_errors_become_dotted_paths():
    messages = {"items": {0: {"tooth": ["Not a valid tooth."]}}, "contact": {
        "email": ["Not a valid email address."]}, "_schema": ["Passwords differ."]}
    assert flatten(messages) == {"items.0.tooth": ["Not a valid tooth."],
                                 "contact.email": ["Not a valid email address."],
                                 "_body": ["Passwords differ."]}


def test_problem_documents_carry_field_errors_and_retry_after():
    invalid = problem_response(ValidationError({"email": ["Bad."]}))
    assert invalid.status_code == 422 and invalid.mimetype == "application/problem+json"
    assert json.loads(invalid.get_data())["errors"] == {"email": ["Bad."]}
    locked = problem_response(TooManyAttempts("Locked.", retry_after=120))
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "120"
    crash = problem_response(ZeroDivisionError("secret detail"))
    assert crash.status_code == 500 and b"secret detail" not in crash.get_data()


def test_errors_keep_their_fields_across_nameko_serialisation():
    from nameko.exceptions import deserialize, serialize
    original = InvalidInput("bad", {"password": ["Too short."]})
    back = deserialize(serialize(original))
    assert type(back) is InvalidInput and back.errors == {"password": ["Too short."]}
    locked = deserialize(serialize(TooManyAttempts("locked", retry_after=60)))
    assert locked.retry_after == 60


class _Inner(Input):
    name = fields.String()


class _Echo(Input):
    name = fields.String()
    tags = fields.List(fields.String())
    inner = fields.Nested(_Inner)


def _dispatch(path: str, data: bytes = b"{}", content_type: str = "application/json"):
    api = Api()
    api.route("POST", "/echo/{id}", public=True, body=_Echo, query=PageQuery)(
        lambda call: call.body)
    environ = EnvironBuilder(path=path, method="POST", data=data,
                             content_type=content_type).get_environ()
    return api.dispatch(Request(environ), None, None, None)


@pytest.mark.parametrize("raw", [b"[" * 100_000, b'{"name": "\\ud800"}', b'{"name": "\xff"}',
                                 b'{"name": NaN}', b'{"name": -Infinity}', b'{"name": 1e999}'])
def test_bodies_that_are_not_json_text_are_400_not_500(raw):
    answer = _dispatch("/echo/1", raw)
    assert answer.status_code == 400, answer.get_data()
    assert list(json.loads(answer.get_data())["errors"]) == ["_body"]


@pytest.mark.parametrize("body, field", [({"name": "a\x00b"}, "name"),
                                         ({"tags": ["ok", "\x00"]}, "tags.1"),
                                         ({"inner": {"name": "\x00"}}, "inner.name")])
def test_nul_characters_in_body_fields_are_field_errors(body, field):
    answer = _dispatch("/echo/1", json.dumps(body).encode())
    assert answer.status_code == 422, answer.get_data()
    assert list(json.loads(answer.get_data())["errors"]) == [field]


def test_nul_characters_in_query_and_path_are_refused():
    query = _dispatch("/echo/1?cursor=%00")
    assert query.status_code == 422 and "cursor" in json.loads(query.get_data())["errors"]
    assert _dispatch("/echo/a%00b").status_code == 404
    assert _dispatch("/echo/1?cursor=abc").status_code == 200
