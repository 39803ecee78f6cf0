"""``ponte demo`` as a newcomer runs it: on a free port and a fresh data directory, every account
of ``accounts.json`` signs in through the API and finds its own work there; a second start on
the same directory seeds nothing twice."""
from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from ponte.roles import ACCOUNT_KINDS
from tests.stack import Stack

API = "/api/v1"
READY = "Ponte demo is ready: "


def start_demo(stack: Stack) -> str:
    """Start ``ponte demo`` and wait for its table; the whole output of this start."""
    before = len(stack.log("ponte-demo"))
    stack.start_process("ponte-demo", "demo")
    deadline = time.monotonic() + 150
    while READY not in stack.log("ponte-demo")[before:]:
        process = stack.processes["ponte-demo"]
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"ponte demo did not get ready:\n{stack.log('ponte-demo')[-4000:]}\n"
                        f"{(stack.data_dir / 'demo' / 'ponte.log').read_text()[-4000:]}")
        time.sleep(0.5)
    return stack.log("ponte-demo")[before:]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    stack = Stack("embedded", tmp_path_factory.mktemp("demo"))
    stack.first_output = start_demo(stack)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def accounts(demo) -> list[dict]:
    return json.loads((demo.data_dir / "demo" / "accounts.json").read_text())


@pytest.fixture(scope="module")
def tokens(demo, accounts) -> dict[str, str]:
    """The access token of every account, by the first word of its role (and its login)."""
    found: dict[str, str] = {}
    for account in accounts:
        session = demo.client.login(account["login"], account["password"])
        assert session["account"]["kind"] == account["kind"], account
        found[account["login"]] = session["access_token"]
    return found


def token(accounts: list[dict], tokens: dict[str, str], role: str, nth: int = 0) -> str:
    return tokens[[a["login"] for a in accounts if a["role"].startswith(role)][nth]]


def get(demo, path: str, who: str, **params) -> dict:
    answer = demo.client.get(API + path, token=who, params=params)
    assert answer.status_code == 200, f"{path}: {answer.text}"
    return answer.json()


def test_the_demo_prints_the_url_and_who_to_sign_in_as(demo, accounts):
    output = demo.first_output
    assert f"{READY}http://127.0.0.1:{demo.port}" in output
    assert all(set(a) == {"role", "kind", "login", "password"} for a in accounts)
    assert {a["kind"] for a in accounts} == set(ACCOUNT_KINDS)
    for account in accounts:
        assert account["login"] in output and account["password"] in output
    assert len({a["password"] for a in accounts}) == len(accounts)
    assert not {"PONTE_ADMIN_PASSWORD", "Admin#2026"} & {a["password"] for a in accounts}
    roles = Counter(a["role"].split(" ")[0].rstrip(":") for a in accounts)
    assert roles == {"administrator": 1, "operator": 1, "auditor": 1, "institution": 1,
                     "attendant": 2, "provider": 3, "secretary": 2, "citizen": 2}


def test_every_account_signs_in(tokens, accounts):
    assert set(tokens) == {a["login"] for a in accounts}


def test_the_secretary_sees_both_providers_requests_in_every_state(demo, accounts, tokens):
    sofia = token(accounts, tokens, "secretary (authorizations")
    acting = get(demo, "/me", sofia)["acting_for"]
    assert sorted(p["legal_name"] for p in acting) == ["Clínica Sorriso Carioca",
                                                       "Dra. Helena Duarte"]
    assert all(p["roles"] == ["authorizations", "billing"] for p in acting)
    statuses = Counter()
    for provider in acting:
        listed = get(demo, "/authorization-requests", sofia, provider_id=provider["provider_id"])
        statuses.update(r["status"] for r in listed["items"])
    assert statuses == {"authorized": 2, "awaiting_audit": 3, "partially_authorized": 1,
                        "denied": 1, "cancelled": 1, "draft": 1}
    clinic = next(p["provider_id"] for p in acting if p["legal_name"].startswith("Clínica"))
    assert len(get(demo, "/payments", sofia, provider_id=clinic)["items"]) == 1
    assert get(demo, "/notifications", sofia)["unread_count"] > 0


def test_the_auditor_finds_the_overdue_request_first(demo, accounts, tokens):
    queue = get(demo, "/audit-queue", token(accounts, tokens, "auditor"))["items"]
    assert [r["overdue"] for r in queue] == [True, False, False]
    assert get(demo, "/notifications", token(accounts, tokens, "auditor"),
               unread="true")["unread_count"] > 0


def test_the_providers_have_complete_profiles_images_a_bulletin_and_appointments(
        demo, accounts, tokens):
    dentist = token(accounts, tokens, "provider: dentist")
    me = get(demo, "/me", dentist)
    assert me.get("missing_profile", []) == []
    profile = get(demo, f"/providers/{me['provider']['id']}", dentist)["profile"]
    assert profile["address"]["city"] == "Rio de Janeiro" and profile["phones"]
    assert len(profile["images"]) == 2
    assert len(get(demo, f"/providers/{me['provider']['id']}/appointments",
                   dentist)["items"]) == 2
    clinic = token(accounts, tokens, "provider: clinic", 1)
    clinic_id = get(demo, "/me", clinic)["provider"]["id"]
    assert len(get(demo, f"/providers/{clinic_id}", clinic)["sites"]) == 2
    bulletins = get(demo, "/bulletins", clinic)["items"]
    assert len(bulletins) == 1 and bulletins[0]["attachments"]


def test_the_operator_has_a_payment_and_an_inquiry_thread(demo, accounts, tokens):
    operator = token(accounts, tokens, "operator")
    inquiries = get(demo, "/inquiries", operator)["items"]
    assert len(inquiries) == 1
    thread = get(demo, f"/inquiries/{inquiries[0]['id']}", operator)["messages"]
    assert [m["author"]["side"] for m in thread] == ["provider", "operator"]


def test_the_second_secretary_has_a_pending_invitation(demo, accounts, tokens):
    beatriz = token(accounts, tokens, "secretary (pending")
    assert [i["roles"] for i in get(demo, "/me/invitations", beatriz)["items"]] == [
        ["commercial"]]


def test_the_institution_queue_services_and_citizens_requests(demo, accounts, tokens):
    ana = token(accounts, tokens, "attendant")
    institution = get(demo, "/institutions", ana)["items"][0]["id"]
    queue = get(demo, f"/institutions/{institution}/service-requests", ana)["items"]
    assert Counter(r["status"] for r in queue) == {
        "submitted": 1, "in_analysis": 1, "in_progress": 1, "rejected": 1, "concluded": 1}
    seeded = json.loads((demo.data_dir / "demo" / "seeded.json").read_text())
    manager = token(accounts, tokens, "institution manager")
    assert [get(demo, f"/services/{seeded[f'service:{state}']['id']}", manager)["status"]
            for state in ("published", "draft")] == ["published", "draft"]
    assert [s["name"] for s in demo.client.get(f"{API}/services").json()["items"]] == [
        "Segunda via de carteira de vacinação"]
    carla, davi = (token(accounts, tokens, "citizen", n) for n in (0, 1))
    mine = get(demo, "/me/service-requests", carla)["items"]
    assert sorted(r["status"] for r in mine) == ["concluded", "in_progress"]
    ratings = demo.client.get(f"{API}/services/{seeded['service:published']['id']}/ratings")
    assert (ratings.json()["count"], ratings.json()["items"][0]["score"]) == (1, 5)
    assert sorted(r["status"] for r in get(demo, "/me/service-requests", davi)["items"]) == [
        "in_analysis", "rejected", "submitted"]
    agenda = get(demo, f"/institutions/{institution}/agenda", ana)
    assert [i["kind"] for i in agenda["items"]] == ["meeting"]


def test_a_second_start_reuses_everything_and_doubles_nothing(demo, accounts, tokens):
    def census() -> dict:
        auditor = token(accounts, tokens, "auditor")
        operator = token(accounts, tokens, "operator")
        ana = token(accounts, tokens, "attendant")
        sofia = token(accounts, tokens, "secretary (authorizations")
        beatriz = token(accounts, tokens, "secretary (pending")
        carla = token(accounts, tokens, "citizen")
        institution = get(demo, "/institutions", ana)["items"]
        return {"institutions": len(institution),
                "queue": len(get(demo, "/audit-queue", auditor)["items"]),
                "requests": len(get(demo, "/authorization-requests", auditor)["items"]),
                "relationships": len(get(demo, "/me/relationships", sofia)["items"]),
                "invitations": len(get(demo, "/me/invitations", beatriz)["items"]),
                "inquiries": len(get(demo, "/inquiries", operator)["items"]),
                "appointments": len(get(demo, "/me/appointments", carla)["items"]),
                "payments": len(get(demo, "/payments", operator)["items"]),
                "bulletins": len(get(demo, "/bulletins", operator)["items"]),
                "service_requests": len(get(
                    demo, f"/institutions/{institution[0]['id']}/service-requests",
                    ana)["items"])}

    before = census()
    seeded = (demo.data_dir / "demo" / "seeded.json").read_text()
    demo.stop_process("ponte-demo")
    output = start_demo(demo)
    assert "seeding" not in output
    assert json.loads((demo.data_dir / "demo" / "accounts.json").read_text()) == accounts
    for account in accounts:
        demo.client.login(account["login"], account["password"])
    tokens.update({a["login"]: demo.client.token(a["login"], a["password"]) for a in accounts})
    assert census() == before
    assert (demo.data_dir / "demo" / "seeded.json").read_text() == seeded
