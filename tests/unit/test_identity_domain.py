"""Identity's rules without a broker or a database: password policy, lockout timing, refresh-token
rotation and reuse, one-time links, registration and profile rules."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ponte.caller import Caller
from ponte.errors import Forbidden, InvalidInput, TooManyAttempts
from services.identity.domain import links, lockout, passwords, profile, providers, registration
from services.identity.domain.sessions import Refresh, RefreshToken, judge_refresh, session_ttl

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


# passwords (000)
@pytest.mark.parametrize("password", [
    "abc#12", "Secret#1", "s3nh@ forte", "ção1!x", "a1" + "#" * 126,
])
def test_passwords_meeting_the_policy_have_no_errors(password):
    assert passwords.policy_errors(password) == []


@pytest.mark.parametrize("password, missing", [
    ("ab#1", "at least 6"),
    ("abcdef#", "digit"),
    ("123456#", "letter"),
    ("abc123", "special"),
    ("abc 123", "special"),
    ("", "at least 6"),
    ("a1#" * 50, "at most 128"),
    (None, "string"),
    (123456, "string"),
])
def test_passwords_missing_something_are_refused(password, missing):
    assert any(missing in message for message in passwords.policy_errors(password))


def test_hashes_verify_only_the_right_password():
    hasher = passwords.Passwords(FAST)
    stored = hasher.hash("Secret#1")
    assert stored.startswith("$argon2id$") and "Secret#1" not in stored
    assert hasher.verify(stored, "Secret#1")
    assert not hasher.verify(stored, "Secret#2")
    assert not hasher.verify(stored, None)
    assert not hasher.verify("not a hash", "Secret#1")
    assert not hasher.verify(None, "Secret#1")  # an unknown login: same work, never true


def test_hashing_runs_where_it_is_told():
    ran = []
    hasher = passwords.Passwords(FAST, run=lambda fn, *args: ran.append(fn.__name__) or fn(*args))
    hasher.verify(hasher.hash("Secret#1"), "Secret#1")
    assert ran == ["hash", "verify"]


def test_a_wrong_current_password_names_the_field():
    assert passwords.wrong_current_password().errors == {
        "current_password": ["The current password is not correct."]}


# lockout (000, API.md "Precise points")
def _fail(throttle: lockout.Throttle, times: int, now: datetime) -> None:
    for _ in range(times):
        throttle.check(now)
        throttle.failed(now)


def test_five_failures_lock_for_a_minute():
    throttle = lockout.Throttle()
    _fail(throttle, 4, T0)
    throttle.check(T0)  # four failures: still open
    _fail(throttle, 1, T0)
    with pytest.raises(TooManyAttempts) as locked:
        throttle.check(T0 + timedelta(seconds=1))
    assert locked.value.retry_after == 59
    throttle.check(T0 + timedelta(seconds=60))


@pytest.mark.parametrize("locks_before, seconds", [
    (0, 60), (1, 120), (2, 240), (3, 480), (4, 900), (5, 900), (12, 900),
])
def test_each_further_lock_doubles_up_to_fifteen_minutes(locks_before, seconds):
    throttle = lockout.Throttle(locks=locks_before)
    _fail(throttle, 5, T0)
    assert throttle.locked_until == T0 + timedelta(seconds=seconds)
    assert throttle.locks == locks_before + 1 and throttle.failures == 0


def test_a_lock_says_how_long_to_wait_rounded_up():
    throttle = lockout.Throttle(locked_until=T0 + timedelta(seconds=10, milliseconds=1))
    with pytest.raises(TooManyAttempts) as locked:
        throttle.check(T0)
    assert locked.value.retry_after == 11 and locked.value.status == 429


def test_a_success_resets_everything():
    throttle = lockout.Throttle()
    _fail(throttle, 5, T0)
    _fail(throttle, 3, T0 + timedelta(minutes=2))
    throttle.succeeded()
    assert throttle == lockout.Throttle()


def test_the_clock_drives_a_whole_attack():
    throttle, now, locks = lockout.Throttle(), T0, []
    for _ in range(6):
        _fail(throttle, 5, now)
        locks.append((throttle.locked_until - now).total_seconds())
        now = throttle.locked_until
    assert locks == [60, 120, 240, 480, 900, 900]


@pytest.mark.parametrize("first, second, same", [
    ("Ana@Ponte.TEST", " ana@ponte.test ", True),
    ("529.982.247-25", "52998224725", True),
    ("12.abc.345/01de-35", "12ABC34501DE35", True),
    ("ana@ponte.test", "bia@ponte.test", False),
    ("52998224725", "11144477735", False),
    ("whatever", "WHATEVER", True),
])
def test_attempts_are_counted_per_login(first, second, same):
    assert (lockout.login_key(first) == lockout.login_key(second)) is same
    assert len(lockout.login_key(first)) == 64


# refresh tokens
def test_a_refresh_token_parses_back_and_is_kept_as_a_digest():
    token = RefreshToken.issue("8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b")
    assert RefreshToken.parse(str(token)) == token
    assert token.digest != str(token) and len(token.digest) == 64


@pytest.mark.parametrize("value", [
    None, 5, "", "no-dot", "not-a-uuid.secret", "8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b.",
    "8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b." + "x" * 300,
])
def test_malformed_refresh_tokens_are_none(value):
    assert RefreshToken.parse(value) is None


@pytest.mark.parametrize("known, retired, revoked, expires, active, outcome", [
    (True, False, False, T0 + timedelta(hours=1), True, Refresh.ROTATE),
    (True, True, False, T0 + timedelta(hours=1), True, Refresh.REUSED),
    (True, True, True, T0 + timedelta(hours=1), True, Refresh.INVALID),
    (True, False, True, T0 + timedelta(hours=1), True, Refresh.INVALID),
    (True, False, False, T0, True, Refresh.INVALID),
    (True, False, False, T0 + timedelta(hours=1), False, Refresh.INVALID),
    (False, False, False, T0 + timedelta(hours=1), True, Refresh.INVALID),
    (True, False, False, None, True, Refresh.INVALID),
])
def test_what_presenting_a_refresh_token_leads_to(known, retired, revoked, expires, active,
                                                  outcome):
    assert judge_refresh(known, retired, revoked, expires, active, T0) is outcome


def test_keep_me_signed_in_lasts_longer():
    assert session_ttl(False, 3600, 86400) == 3600
    assert session_ttl(True, 3600, 86400) == 86400


# one-time links (003)
@pytest.mark.parametrize("kind, lifetime", [
    ("invitation", timedelta(days=7)), ("password_reset", timedelta(hours=1)),
])
def test_a_link_expires_after_its_kind_s_lifetime_and_works_once(kind, lifetime):
    expires = links.expiry(kind, T0)
    assert expires == T0 + lifetime
    assert links.usable(expires, None, expires - timedelta(seconds=1))
    assert not links.usable(expires, None, expires)
    assert not links.usable(expires, T0, T0)  # used once is used up


# registration (000, 003): the rules; shapes are the schemas' (test_identity_schemas.py)
def _secretary(**changes):
    """As the gateway's schema hands it over: normalised and in shape."""
    return {"cpf": "52998224725", "email": "Sara@Ponte.test", "name": "Sara", "sex": "female",
            "password": "Secret#1", "password_confirmation": "Secret#1",
            "accepted_terms": True, **changes}


def test_a_secretary_registration_keeps_what_was_given():
    plan = registration.self_registration("secretary", _secretary())
    assert (plan.cpf, plan.email, plan.name, plan.sex, plan.locale) == (
        "52998224725", "Sara@Ponte.test", "Sara", "female", "pt-BR")
    assert registration.self_registration("citizen", _secretary(locale="it")).locale == "it"


@pytest.mark.parametrize("password", ["secret", "Secret1", "S#1", None])
def test_a_registration_password_follows_the_policy(password):
    with pytest.raises(InvalidInput) as refused:
        registration.self_registration("citizen", _secretary(password=password))
    assert set(refused.value.errors) == {"password"}


def test_sites_sharing_an_email_are_marked_and_no_sites_means_one_main_site():
    plans = registration.plan_sites("Rede", "rede@ponte.test", [
        {"name": "Centro", "email": "shared@ponte.test"},
        {"name": "Norte", "email": "SHARED@ponte.test"},
        {"name": "Sul", "email": "sul@ponte.test"}])
    assert [p.email_shared for p in plans] == [True, True, False]
    assert registration.plan_sites("Rede", "rede@ponte.test", None) == [
        registration.SitePlan("Rede", "rede@ponte.test", False)]


COMPLETION = {"password": "Clinic#1", "password_confirmation": "Clinic#1",
              "accepted_terms": True}


@pytest.mark.parametrize("person, current, shared, changes, fields", [
    ("organisation", None, False, {"provider_type": "clinic"}, set()),
    ("organisation", None, False, {}, {"provider_type"}),
    ("organisation", "clinic", False, {}, set()),
    ("organisation", "clinic", False, {"provider_type": "clinic"}, set()),
    ("organisation", "clinic", False, {"provider_type": "hospital"}, {"provider_type"}),
    ("individual", None, False, {"provider_type": "dentist"}, {"sex"}),
    ("individual", None, False, {"provider_type": "dentist", "sex": "male"}, set()),
    ("organisation", "clinic", True, {}, {"email"}),
    ("organisation", "clinic", True, {"email": "own@ponte.test"}, set()),
    ("organisation", "clinic", False, {"password": "weak"}, {"password"}),
])
def test_a_site_completion_sets_its_type_or_is_refused(person, current, shared, changes, fields):
    data = {**COMPLETION, **changes}
    if not fields:
        done = registration.completion(person, current, shared, data)
        assert done.provider_type == (changes.get("provider_type") or current)
        return
    with pytest.raises(InvalidInput) as refused:
        registration.completion(person, current, shared, data)
    assert set(refused.value.errors) == fields


@pytest.mark.parametrize("name, key", [
    ("  João  da Silva ", "joao da silva"), ("ZÉLIA", "zelia"), ("Ana", "ana"),
])
def test_names_are_searched_without_case_or_accents(name, key):
    assert registration.search_key(name) == key


# provider profile (003)
@pytest.mark.parametrize("changes", [
    {"phones": ["+55 41 3333-4444"], "opening_hours": "8h-18h"},
    {"address": None, "description": None},
])
def test_profile_changes_record_the_fields_given(changes):
    assert set(profile.profile_changes(changes)) == set(changes)


IMAGE = {"id": "8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b", "filename": "a.png",
         "content_type": "image/png", "size": 100, "sha256": "a" * 64,
         "key": "providers/p1/images/8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b"}


@pytest.mark.parametrize("changes, fields", [
    ({}, set()),
    ({"key": "uploads/8d0f7e2c-5b7a-4c1e-9a51-3f4e0f1f2a3b"}, {"key"}),
    ({"content_type": "application/pdf"}, {"file"}),
    ({"size": 5 * 1024 * 1024 + 1}, {"file"}),
    ({"sha256": "nope"}, {"sha256"}),
    ({"id": "x"}, {"id", "key"}),
])
def test_image_records_must_point_where_the_provider_images_live(changes, fields):
    if not fields:
        assert profile.clean_image("p1", {**IMAGE, **changes})["id"] == IMAGE["id"]
        return
    with pytest.raises(InvalidInput) as refused:
        profile.clean_image("p1", {**IMAGE, **changes})
    assert set(refused.value.errors) == fields


PREREGISTRATION = {"document": "11222333000181", "legal_name": "Rede",
                   "email": "rede@ponte.test"}


def test_a_preregistration_without_sites_has_one_main_site():
    plan = registration.preregistration(PREREGISTRATION)
    assert (plan.document, plan.person_type, plan.legal_name) == (
        "11222333000181", "organisation", "Rede")
    assert plan.sites == [registration.SitePlan("Rede", "rede@ponte.test", False)]
    assert not plan.sites_given
    assert registration.preregistration({**PREREGISTRATION, "document": "52998224725"}
                                        ).person_type == "individual"


@pytest.mark.parametrize("roles, expected", [
    (["operator"], ["operator"]), (["servant", "admin", "admin"], ["admin", "servant"]),
])
def test_staff_roles_are_kept_once_in_canonical_order(roles, expected):
    data = {"email": "s@ponte.test", "name": "S", "roles": roles}
    assert registration.staff_member(data).roles == expected


COMPLETE = {"street": "Rua A", "number": "1", "district": "Centro", "city": "Rio",
            "state": "RJ", "postal_code": "20040002"}


@pytest.mark.parametrize("address, phones, missing", [
    (COMPLETE, ["21 3333-4444"], []),
    (None, [], ["address.street", "address.number", "address.district", "address.city",
                "address.state", "address.postal_code", "phones"]),
    ({**COMPLETE, "number": " ", "complement": None}, ["21 3333-4444"], ["address.number"]),
    (COMPLETE, ["  "], ["phones"]),
])
def test_a_profile_is_complete_with_a_full_address_and_a_phone(address, phones, missing):
    """000 §3.2 and API.md ``missing_profile``: the complement is never required."""
    assert profile.missing_profile(address, phones) == missing


OPERATOR = Caller("op", "staff", frozenset({"operator"}))
AUDITOR = Caller("au", "staff", frozenset({"auditor"}))
OWNER = Caller.of({"account_id": "pl", "kind": "provider", "provider_id": "p1"})
NOBODY = Caller.of({})


@pytest.mark.parametrize("caller, status, visible, with_status", [
    (NOBODY, "active", True, False), (NOBODY, "invited", False, False),
    (AUDITOR, "deleted", False, False), (OPERATOR, "deleted", True, True),
    (OWNER, "active", True, True), (OWNER, "deleted", True, True),
])
def test_who_sees_a_provider_and_its_status(caller, status, visible, with_status):
    assert providers.visible(caller, "p1", status) is visible
    assert providers.sees_status(caller, "p1") is with_status


def test_only_operators_list_providers_that_are_not_active():
    assert providers.listed_statuses(NOBODY, None) == ("active",)
    assert providers.listed_statuses(OPERATOR, None) is None
    assert providers.listed_statuses(OPERATOR, "invited") == ("invited",)
    with pytest.raises(Forbidden):
        providers.listed_statuses(OWNER, "deleted")
