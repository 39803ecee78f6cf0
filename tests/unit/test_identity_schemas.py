"""The shapes of identity's requests, checked once at the edge (gateway/identity/schemas.py):
what identity's domain used to re-check by hand. The business rules behind them (password policy,
provider type, shared site e-mails) are in test_identity_domain.py."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from gateway.identity import schemas as s
from gateway.problems import flatten

SECRETARY = {"cpf": "529.982.247-25", "email": "Sara@Ponte.test",
             "email_confirmation": "sara@ponte.TEST", "name": " Sara ", "sex": "female",
             "password": "Secret#1", "password_confirmation": "Secret#1", "accepted_terms": True}
CITIZEN = {key: value for key, value in SECRETARY.items() if key != "email_confirmation"}
PROVIDER = {"document": "11.222.333/0001-81", "legal_name": " Rede ", "email": "rede@ponte.test"}


def _fields(schema, data: dict) -> set[str]:
    try:
        schema().load(data)
    except ValidationError as refused:
        return _flat(refused.messages)
    return set()


def _flat(messages: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in messages.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out.add(f"{prefix}{key}")
    return out


def test_a_secretary_registration_is_normalised():
    loaded = s.SecretaryIn().load(SECRETARY)
    assert (loaded["cpf"], loaded["email"], loaded["name"], loaded["sex"]) == (
        "52998224725", "Sara@Ponte.test", "Sara", "female")


@pytest.mark.parametrize("schema, changes, fields", [
    (s.SecretaryIn, {"email_confirmation": "x@ponte.test"}, {"email_confirmation"}),
    (s.SecretaryIn, {"sex": None}, {"sex"}),
    (s.SecretaryIn, {"sex": "other"}, {"sex"}),
    (s.CitizenIn, {"sex": None}, {"sex"}),
    (s.CitizenIn, {}, set()),  # a citizen confirms no e-mail
    (s.CitizenIn, {"email_confirmation": None}, {"email_confirmation"}),  # not a citizen's field
    (s.SecretaryIn, {"accepted_terms": "yes"}, {"accepted_terms"}),
    (s.CitizenIn, {"accepted_terms": False}, {"accepted_terms"}),
    (s.CitizenIn, {"password_confirmation": "Secret#2"}, {"password_confirmation"}),
    (s.CitizenIn, {"cpf": "12345678901"}, {"cpf"}),
    (s.CitizenIn, {"email": "no-at-sign"}, {"email"}),
    (s.CitizenIn, {"name": ""}, {"name"}),
    (s.CitizenIn, {"name": "x" * 201}, {"name"}),
    (s.CitizenIn, {"locale": "fr"}, {"locale"}),
    (s.CitizenIn, {"secondary_email": "x"}, {"secondary_email"}),
])
def test_a_self_registration_names_each_invalid_field(schema, changes, fields):
    base = SECRETARY if schema is s.SecretaryIn else CITIZEN
    assert _fields(schema, {**base, **changes}) == fields


def test_a_preregistration_is_normalised():
    loaded = s.ProviderIn().load(PROVIDER)
    assert (loaded["document"], loaded["legal_name"]) == ("11222333000181", "Rede")


@pytest.mark.parametrize("changes, fields", [
    ({"document": "11.222.333/0001-82"}, {"document"}),
    ({"document": None, "legal_name": ""}, {"document", "legal_name"}),
    ({"email": "nope"}, {"email"}),
    ({"sites": []}, {"sites"}),
    ({"sites": "A"}, {"sites"}),
    ({"sites": [{"name": "A", "email": "a@ponte.test"}, {"name": ""}]},
     {"sites.1.name", "sites.1.email"}),
    ({"sites": [5]}, {"sites.0._schema"}),
    ({"sites": [{"name": "A", "email": "a@ponte.test"}] * 101}, {"sites"}),
    ({"locale": "de"}, {"locale"}),
])
def test_a_preregistration_names_each_invalid_field(changes, fields):
    assert _fields(s.ProviderIn, {**PROVIDER, **changes}) == fields


@pytest.mark.parametrize("roles, valid", [
    (["operator"], True), (["servant", "admin"], True),
    ([], False), (["root"], False), ("admin", False), (None, False),
])
def test_staff_roles_must_be_known_and_not_empty(roles, valid):
    assert _fields(s.StaffIn, {"email": "s@ponte.test", "name": "S", "roles": roles}) == (
        set() if valid else {"roles"} if roles != ["root"] else {"roles.0"})


@pytest.mark.parametrize("changes, fields", [
    ({"provider_type": "clinic"}, set()),
    ({"provider_type": "spa"}, {"provider_type"}),
    ({"provider_type": "clinic", "accepted_terms": False}, {"accepted_terms"}),
    ({"provider_type": "clinic", "password_confirmation": "Other#1"}, {"password_confirmation"}),
    ({"sex": "x"}, {"sex"}),
    ({"email": "not-an-email"}, {"email"}),
])
def test_a_site_completion_names_each_invalid_field(changes, fields):
    base = {"password": "Clinic#1", "password_confirmation": "Clinic#1", "accepted_terms": True}
    assert _fields(s.RegistrationIn, {**base, **changes}) == fields


@pytest.mark.parametrize("schema, data, fields", [
    (s.MeUpdateIn, {"name": " "}, {"name"}),
    (s.MeUpdateIn, {"secondary_email": None, "locale": "en"}, set()),
    (s.MeUpdateIn, {"locale": "fr"}, {"locale"}),
    (s.EmailChangeIn, {"current_password": "x", "new_email": "nope"}, {"new_email"}),
    (s.PasswordChangeIn, {"current_password": "x", "new_password": "Secret#2",
                          "new_password_confirmation": "Secret#3"},
     {"new_password_confirmation"}),
    (s.PasswordResetIn, {"password": "Secret#2", "password_confirmation": "x"},
     {"password_confirmation"}),
])
def test_an_account_change_names_each_invalid_field(schema, data, fields):
    assert _fields(schema, data) == fields


@pytest.mark.parametrize("changes, fields", [
    ({"phones": ["+55 41 3333-4444"], "opening_hours": "8h-18h"}, set()),
    ({"address": None, "description": None}, set()),
    ({"phones": "3333-4444"}, {"phones"}),
    ({"phones": ["call me"]}, {"phones.0"}),
    ({"phones": ["1234"] * 11}, {"phones"}),
    ({"address": "Rua X"}, {"address"}),
    ({"address": {"street": 5}}, {"address.street"}),
    ({"opening_hours": "x" * 501}, {"opening_hours"}),
    ({"description": ["x"]}, {"description"}),
])
def test_profile_shapes(changes, fields):
    """What identity's domain used to re-check by hand (003), named as the answer names them."""
    try:
        s.ProfileIn().load(changes)
    except ValidationError as refused:
        assert set(flatten(refused.messages)) == fields
    else:
        assert not fields
