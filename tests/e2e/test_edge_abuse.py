"""Abuse of identity's public doors, on both runtimes: the lockout under 200 parallel attempts
and across logins, shared CPFs, mail-bombing and timing of password resets, directory
harvesting, look-alike e-mail addresses, and how refusals are logged.

This module's stack runs with ``PONTE_RATE_LIMIT_FACTOR=1``; the per-address limits of sign-in,
registration and password reset are raised so that what is measured here is the lockout and
the per-target e-mail limit, not the gateway's buckets (tested in test_edge_http)."""
from __future__ import annotations

import random
import statistics
import time
import uuid

import eventlet
import pytest
import requests

from tests.conftest import RUNTIMES, _running
from tests.e2e.test_identity import provider, secretary_body
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cpf, register_citizen

API = "/api/v1"


@pytest.fixture(scope="module", params=RUNTIMES)
def abuse(request, tmp_path_factory):
    yield from _running(request.param, tmp_path_factory, env={
        "PONTE_RATE_LIMIT_FACTOR": "1", "PONTE_RATE_LIMIT_SIGN_IN": "100000",
        "PONTE_RATE_LIMIT_REGISTRATION": "100000", "PONTE_RATE_LIMIT_PASSWORD_RESET": "100000"})


def _email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@ponte.test"


def _citizen(client, email: str | None = None, cpf: str | None = None,
             password: str = "Citizen#1") -> dict:
    body = {"cpf": cpf or new_cpf(), "email": email or _email("cit"), "name": "Cida",
            "password": password, "password_confirmation": password, "accepted_terms": True}
    answer = client.post(f"{API}/citizens", json=body)
    assert answer.status_code == 201, answer.text
    return {**body, **answer.json()}


def _registration(citizen: dict) -> dict:
    """The registration fields of what :func:`_citizen` returns (not the answer's fields)."""
    return {key: citizen[key] for key in ("cpf", "email", "name", "password",
                                          "password_confirmation", "accepted_terms")}


def _login(stack, login: str, password: str) -> requests.Response:
    return requests.post(stack.client.base_url + f"{API}/sessions", timeout=60,
                         json={"login": login, "password": password})


def test_200_parallel_wrong_passwords_check_at_most_ten(abuse):
    citizen = _citizen(abuse.client)
    pool = eventlet.GreenPool(200)

    def attempt(_: int) -> int:
        # On an overloaded host the server has been seen (1 run in 4) to drop one of the 200
        # connections without an answer; the lockout's count is what this test is about.
        try:
            return _login(abuse, citizen["email"], "Wrong#123").status_code
        except requests.ConnectionError:
            return 0

    statuses = list(pool.imap(attempt, range(200)))
    assert statuses.count(0) <= 5, statuses.count(0)
    statuses = [status for status in statuses if status]
    assert set(statuses) <= {401, 429, 503}  # 503: the machine could not keep up in time
    assert statuses.count(401) <= 10, statuses.count(401)
    assert 429 in statuses
    locked = _login(abuse, citizen["email"], citizen["password"])
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


def test_many_people_signing_in_to_one_login_at_once_are_not_refused(abuse):
    """A site login shared by a clinic's staff: the lockout's places make parallel right
    passwords wait their turn, not fail."""
    citizen = _citizen(abuse.client)
    pool = eventlet.GreenPool(20)
    statuses = [answer.status_code for answer in pool.imap(
        lambda _: _login(abuse, citizen["email"], citizen["password"]), range(20))]
    assert set(statuses) <= {200, 503}, statuses  # never 401 or 429 (503: an overloaded host)
    assert statuses.count(200) >= 10, statuses


def test_the_lock_belongs_to_the_account_whatever_login_names_it(abuse):
    citizen = _citizen(abuse.client)
    for _ in range(5):
        assert _login(abuse, citizen["email"].upper(), "Wrong#123").status_code == 401
    assert _login(abuse, citizen["cpf"], citizen["password"]).status_code == 429
    assert _login(abuse, citizen["email"], citizen["password"]).status_code == 429
    other = _citizen(abuse.client)  # another account is untouched
    assert _login(abuse, other["cpf"], other["password"]).status_code == 200


def test_a_cpf_of_two_accounts_asks_for_the_email_only_after_a_correct_password(abuse):
    body = secretary_body()
    assert abuse.client.post(f"{API}/secretaries", json=body).status_code == 201
    citizen = _citizen(abuse.client, cpf=body["cpf"], password="Other#22")
    wrong = _login(abuse, body["cpf"], "Wrong#123")
    unknown = _login(abuse, new_cpf(), "Wrong#123")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    for password in (body["password"], citizen["password"]):
        right = _login(abuse, body["cpf"], password)
        assert right.status_code == 409  # API.md: sign in with that account's e-mail
        assert "login" in right.json()["errors"]
        assert "e-mail" in right.json()["detail"]
    assert _login(abuse, body["email"], body["password"]).status_code == 200
    assert _login(abuse, citizen["email"], citizen["password"]).status_code == 200


def test_password_resets_cannot_flood_a_mailbox(abuse):
    citizen = _citizen(abuse.client)
    pool = eventlet.GreenPool(50)
    statuses = list(pool.imap(lambda _: requests.post(
        abuse.client.base_url + f"{API}/password-resets", json={"email": citizen["email"]},
        timeout=60).status_code, range(100)))
    assert statuses == [202] * 100
    abuse.mail.wait_for(citizen["email"], containing="Token: ")
    time.sleep(5)  # anything still on its way
    resets = [m for m in abuse.mail.messages(citizen["email"])
              if "Token: " in abuse.mail.body(m)]
    assert len(resets) == 3


def test_a_password_reset_answers_known_and_unknown_addresses_alike(abuse):
    """Paired timings (known and unknown back to back, in random order) cancel the drift of a
    busy host; before the fix a known address took ~6 ms (a third) longer."""
    known = _citizen(abuse.client)["email"]
    url = abuse.client.base_url + f"{API}/password-resets"
    session = requests.Session()

    def timed(address: str) -> float:
        started = time.perf_counter()
        assert session.post(url, json={"email": address}, timeout=30).status_code == 202
        return time.perf_counter() - started

    for _ in range(3):  # warm up both paths
        timed(known), timed(_email("ghost"))
    differences, unknown_times = [], []
    for _ in range(80):
        pair = [("known", known), ("unknown", _email("ghost"))]
        if random.random() < 0.5:
            pair.reverse()
        measured = {which: timed(address) for which, address in pair}
        differences.append(measured["known"] - measured["unknown"])
        unknown_times.append(measured["unknown"])
    difference_ms = statistics.median(differences) * 1000
    typical_ms = statistics.median(unknown_times) * 1000
    assert abs(difference_ms) < max(1.5, 0.08 * typical_ms), (difference_ms, typical_ms)


def test_secretary_search_resists_directory_harvesting(abuse):
    client, mail = abuse.client, abuse.mail
    operator = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    tag = uuid.uuid4().hex[:6]
    for index in range(12):
        body = secretary_body(name=f"Harvey {tag} {index:02d}")
        assert client.post(f"{API}/secretaries", json=body).status_code == 201
    clinic = provider(client, mail, operator)
    short = client.get(f"{API}/secretaries", token=clinic["token"], params={"name": "ha"})
    assert short.status_code == 422 and "name" in short.json()["errors"]
    page = client.get(f"{API}/secretaries", token=clinic["token"],
                      params={"name": f"harvey {tag}", "limit": 200})
    assert page.status_code == 200
    items = page.json()["items"]
    assert len(items) == 10
    assert all("***@" in item["email"] for item in items)
    exact = client.get(f"{API}/secretaries", token=clinic["token"],
                       params={"email": body["email"]}).json()["items"]
    assert exact[0]["email"] == body["email"]
    # a secretary may search only while managing relationships for some provider
    sara = secretary_body()
    assert client.post(f"{API}/secretaries", json=sara).status_code == 201
    sara_token = client.token(sara["email"], sara["password"])
    assert client.get(f"{API}/secretaries", token=sara_token,
                      params={"name": "harvey"}).status_code == 403
    sara_id = client.get(f"{API}/me", token=sara_token).json()["id"]
    invitation = client.post(f"{API}/providers/{clinic['id']}/invitations",
                             token=clinic["token"],
                             json={"secretary_id": sara_id, "roles": ["manage_relationships"]})
    assert invitation.status_code == 201, invitation.text
    accepted = client.post(f"{API}/invitations/{invitation.json()['id']}/accept",
                           token=sara_token, json={"until": None})
    assert accepted.status_code == 200, accepted.text
    assert client.get(f"{API}/secretaries", token=sara_token,
                      params={"name": "harvey"}).status_code == 200


def test_look_alike_addresses_are_one_address(abuse):
    client, tag = abuse.client, uuid.uuid4().hex[:8]
    kelvin = _citizen(client, email=f"\u212aelvin-{tag}@ponte.test")
    assert client.get(f"{API}/me", token=client.token(f"kelvin-{tag}@ponte.test",
                                                      kelvin["password"])).json()[
        "email"] == f"Kelvin-{tag}@ponte.test"
    taken = client.post(f"{API}/citizens", json={**_registration(kelvin), "cpf": new_cpf(),
                                                 "email": f"kelvin-{tag}@ponte.test"})
    assert taken.status_code == 409
    wide = _citizen(client, email=f"\uff23itizen-{tag}@ponte.test")
    assert client.post(f"{API}/citizens", json={**_registration(wide), "cpf": new_cpf(),
                                                "email": f"citizen-{tag}@ponte.test"}
                       ).status_code == 409
    accented = client.post(f"{API}/citizens", json={**_registration(wide), "cpf": new_cpf(),
                                                    "email": f"jo\u00e3o-{tag}@ponte.test"})
    assert accented.status_code == 422 and "email" in accented.json()["errors"]
    idn = _citizen(client, email=f"user-{tag}@ex\u00e4mple.test")
    assert idn["email"] == f"user-{tag}@xn--exmple-cua.test"
    assert client.post(f"{API}/password-resets", json={
        "email": f"USER-{tag}@EX\u00c4MPLE.test"}).status_code == 202
    message = abuse.mail.wait_for(f"user-{tag}@xn--exmple-cua.test", containing="Token: ")
    assert message["To"].encode() == f"user-{tag}@xn--exmple-cua.test".encode()


def test_refusals_are_logged_in_one_info_line(abuse):
    citizen = register_citizen(abuse.client)
    taken = abuse.client.post(f"{API}/citizens", json={
        "cpf": new_cpf(), "email": citizen["email"], "name": "Again", "password": "Citizen#1",
        "password_confirmation": "Citizen#1", "accepted_terms": True})
    assert taken.status_code == 409
    logs = "".join(abuse.log(name) for name in ("ponte-up", "identity"))
    refusals = [line for line in logs.splitlines()
                if "identity.register_citizen refused: 409" in line]
    assert refusals and all('"level": "INFO"' in line for line in refusals)
    assert not [line for line in logs.splitlines()
                if "(expected)" in line and "register_citizen" in line]
    assert not [line for line in logs.splitlines() if "Conflict" in line and "Traceback" in line]
