"""Relationships through HTTP on both runtimes, with accounts made through identity's real API:
a provider finds and invites secretaries, they accept or decline, and what each role opens is
enforced from the secretary's next request (role changes, endings, expiry, deleted accounts)."""
from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ponte.roles import PROVIDER_ROLES
from tests.stack import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Client,
    complete_profile,
    free_port,
    new_cnpj,
    new_cpf,
    wait_until,
)

PASSWORD = "Senha#2026"
ROLES = list(PROVIDER_ROLES)
API = "/api/v1"


def sao_paulo_today():
    return datetime.now(UTC).astimezone(ZoneInfo("America/Sao_Paulo")).date()


class Accounts:
    """Accounts made the way people make them, through the HTTP API and e-mailed links."""

    def __init__(self, client, mail) -> None:
        self.client, self.mail = client, mail
        admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        email = f"operator-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = client.post(f"{API}/staff", token=admin,
                             json={"email": email, "name": "Olívia Operadora",
                                   "roles": ["operator"]})
        assert answer.status_code == 201, answer.text
        self._set_password(email)
        self.operator = client.token(email, PASSWORD)

    def _set_password(self, email: str) -> None:
        token = self.mail.token(email)
        answer = self.client.post(f"{API}/password-resets/{token}",
                                  json={"password": PASSWORD, "password_confirmation": PASSWORD})
        assert answer.status_code == 204, answer.text

    def provider(self, name: str = "Clínica Odonto Arte") -> dict:
        email = f"provider-{uuid.uuid4().hex[:8]}@ponte.test"
        legal_name = f"{name} {uuid.uuid4().hex[:4]}"
        answer = self.client.post(f"{API}/providers", token=self.operator, json={
            "document": new_cnpj(), "legal_name": legal_name, "email": email})
        assert answer.status_code == 201, answer.text
        provider_id, answer_document = answer.json()["id"], answer.json()["document"]
        token = self.mail.token(email)
        answer = self.client.post(f"{API}/registrations/{token}", json={
            "provider_type": "clinic", "password": PASSWORD, "password_confirmation": PASSWORD,
            "accepted_terms": True})
        assert answer.status_code == 201, answer.text
        token = self.client.token(email, PASSWORD)
        complete_profile(self.client, provider_id, token)
        return {"id": provider_id, "legal_name": legal_name, "email": email,
                "document": answer_document, "token": token}

    def secretary(self, name: str = "Priscila Souza") -> dict:
        email = f"sec-{uuid.uuid4().hex[:8]}@ponte.test"
        document = new_cpf()
        answer = self.client.post(f"{API}/secretaries", json={
            "cpf": document, "email": email, "email_confirmation": email, "name": name,
            "sex": "female", "password": PASSWORD, "password_confirmation": PASSWORD,
            "accepted_terms": True})
        assert answer.status_code == 201, answer.text
        return {"id": answer.json()["id"], "name": name, "email": email, "cpf": document,
                "token": self.client.token(email, PASSWORD)}

    def relate(self, provider: dict, secretary: dict, roles: list[str],
               until: str | None = None) -> dict:
        invitation = self.client.post(
            f"{API}/providers/{provider['id']}/invitations", token=provider["token"],
            json={"secretary_id": secretary["id"], "roles": roles})
        assert invitation.status_code == 201, invitation.text
        accepted = self.client.post(f"{API}/invitations/{invitation.json()['id']}/accept",
                                    token=secretary["token"], json={"until": until})
        assert accepted.status_code == 200, accepted.text
        return accepted.json()


@pytest.fixture(scope="module")
def accounts(stack):
    return Accounts(stack.client, stack.mail)


@pytest.fixture(scope="module")
def provider(accounts):
    return accounts.provider()


def acting_for(client, secretary: dict) -> list[dict]:
    me = client.get(f"{API}/me", token=secretary["token"])
    assert me.status_code == 200, me.text
    return me.json()["acting_for"]


def profile(client, provider: dict, who: dict):
    return client.patch(f"{API}/providers/{provider['id']}/profile", token=who["token"],
                        json={"description": "Atendimento odontológico"})


def test_a_provider_finds_invites_and_the_secretary_accepts_indefinitely(
        client, accounts, provider):
    ana = accounts.secretary("Ana Beatriz Lima")
    for query in ({"cpf": ana["cpf"]}, {"email": ana["email"]}, {"name": "Ana Beatriz"}):
        found = client.get(f"{API}/secretaries", token=provider["token"], params=query)
        assert found.status_code == 200, found.text
        assert ana["id"] in [s["id"] for s in found.json()["items"]]

    invited = client.post(f"{API}/providers/{provider['id']}/invitations",
                          token=provider["token"],
                          json={"secretary_id": ana["id"], "roles": ["commercial", "billing"]})
    assert invited.status_code == 201, invited.text
    invitation = invited.json()
    assert {k: invitation[k] for k in ("provider_id", "secretary_id", "roles", "status")} == {
        "provider_id": provider["id"], "secretary_id": ana["id"],
        "roles": ["billing", "commercial"], "status": "pending"}
    assert invitation["created_at"].endswith("Z")
    again = client.post(f"{API}/providers/{provider['id']}/invitations", token=provider["token"],
                        json={"secretary_id": ana["id"], "roles": ["billing"]})
    assert again.status_code == 409

    pending = client.get(f"{API}/me/invitations", token=ana["token"]).json()
    assert pending["next_cursor"] is None
    assert [(i["id"], i["provider"], i["roles"]) for i in pending["items"]] == [
        (invitation["id"], {"id": provider["id"], "legal_name": provider["legal_name"]},
         ["billing", "commercial"])]
    assert acting_for(client, ana) == []

    accepted = client.post(f"{API}/invitations/{invitation['id']}/accept", token=ana["token"],
                           json={"until": None})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active" and accepted.json()["ends_at"] is None
    assert acting_for(client, ana) == [{"provider_id": provider["id"],
                                        "legal_name": provider["legal_name"],
                                        "roles": ["billing", "commercial"]}]
    assert client.get(f"{API}/me/invitations", token=ana["token"]).json()["items"] == []

    mine = client.get(f"{API}/me/relationships", token=ana["token"]).json()["items"]
    assert [(r["provider"], r["status"], r["ends_at"]) for r in mine] == [  # 000 §4.2
        ({"id": provider["id"], "legal_name": provider["legal_name"], "provider_type": "clinic",
          "document": provider["document"], "email": provider["email"]}, "active", None)]
    assert mine[0]["started_at"].endswith("Z")
    listed = client.get(f"{API}/providers/{provider['id']}/relationships",
                        token=provider["token"]).json()["items"]
    ours = next(r for r in listed if r["secretary"]["id"] == ana["id"])
    assert ours["type"] == "secretary" and ours["status"] == "active"
    assert ours["secretary"] == {"id": ana["id"], "name": ana["name"], "email": ana["email"]}
    statuses = client.get(f"{API}/providers/{provider['id']}/invitations",
                          token=provider["token"]).json()["items"]
    assert {i["id"]: i["status"] for i in statuses}[invitation["id"]] == "accepted"
    only_pending = client.get(f"{API}/providers/{provider['id']}/invitations",
                              token=provider["token"], params={"status": "pending"}).json()
    assert invitation["id"] not in [i["id"] for i in only_pending["items"]]


def test_accepting_until_a_date_declining_and_bad_input(client, accounts, provider):
    bia, cida = accounts.secretary("Bia"), accounts.secretary("Cida")
    invitations = f"{API}/providers/{provider['id']}/invitations"
    for roles in ([], ["admin"], ["billing", "everything"], None):
        answer = client.post(invitations, token=provider["token"],
                             json={"secretary_id": bia["id"], "roles": roles})
        assert answer.status_code == 422, answer.text
        assert any(k.startswith("roles") for k in answer.json()["errors"])
    not_secretary = client.post(invitations, token=provider["token"],
                                json={"secretary_id": client.get(
                                    f"{API}/me", token=provider["token"]).json()["id"],
                                    "roles": ["billing"]})
    assert not_secretary.status_code == 422 and "secretary_id" in not_secretary.json()["errors"]
    unknown = client.post(invitations, token=provider["token"],
                          json={"secretary_id": str(uuid.uuid4()), "roles": ["billing"]})
    assert unknown.status_code == 404

    invitation = client.post(invitations, token=provider["token"],
                             json={"secretary_id": bia["id"], "roles": ["billing"]}).json()
    accept = f"{API}/invitations/{invitation['id']}/accept"
    assert client.post(accept, token=cida["token"], json={"until": None}).status_code == 404
    assert client.post(f"{API}/invitations/{invitation['id']}/decline",
                       token=cida["token"]).status_code == 404
    for until in (sao_paulo_today().isoformat(), "2020-01-01", "2026-13-01"):
        answer = client.post(accept, token=bia["token"], json={"until": until})
        assert answer.status_code == 422 and "until" in answer.json()["errors"], until
    until = (sao_paulo_today() + timedelta(days=30)).isoformat()
    accepted = client.post(accept, token=bia["token"], json={"until": until})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["until"] == until and accepted.json()["ends_at"].endswith("03:00:00Z")
    assert client.post(accept, token=bia["token"], json={"until": None}).status_code == 409

    declined_invitation = client.post(invitations, token=provider["token"],
                                      json={"secretary_id": cida["id"], "roles": ["billing"]})
    decline = client.post(f"{API}/invitations/{declined_invitation.json()['id']}/decline",
                          token=cida["token"])
    assert decline.status_code == 200
    assert {k: decline.json()[k] for k in ("id", "status")} == {
        "id": declined_invitation.json()["id"], "status": "declined"}
    assert client.post(f"{API}/invitations/{declined_invitation.json()['id']}/accept",
                       token=cida["token"], json={}).status_code == 409
    assert acting_for(client, cida) == []


def test_forged_cursors_and_ids_are_refused_not_500(client, accounts, provider):
    bia = accounts.secretary("Bia")
    mine, theirs = f"{API}/me/relationships", f"{API}/providers/{provider['id']}"
    for payload in (b'["2026-01-01T00:00:00", "a\\u0000"]',
                    b'["2026-01-01T00:00:00", "\\ud800"]', b"[" * 3000):
        cursor = base64.urlsafe_b64encode(payload).decode()
        for path, who in ((mine, bia), (f"{theirs}/invitations", provider),
                          (f"{theirs}/accreditations", provider)):
            answer = client.get(path, token=who["token"], params={"cursor": cursor})
            assert answer.status_code == 400, (path, payload, answer.text)
            assert "cursor" in answer.json()["errors"]
    assert client.post(f"{API}/invitations/a%00b/decline", token=bia["token"]).status_code == 404
    assert client.post(f"{API}/relationships/a%00b/end",
                       token=provider["token"]).status_code == 404


def test_each_role_opens_its_endpoints_and_no_others(client, accounts, provider):
    by_role = {role: accounts.secretary(f"Sec {role}") for role in ROLES}
    for role, secretary in by_role.items():
        accounts.relate(provider, secretary, [role])
        assert acting_for(client, secretary) == [{"provider_id": provider["id"],
                                                  "legal_name": provider["legal_name"],
                                                  "roles": [role]}]
    relationships = f"{API}/providers/{provider['id']}/relationships"
    invitations = f"{API}/providers/{provider['id']}/invitations"
    manager, commercial = by_role["manage_relationships"], by_role["commercial"]

    # manage_relationships opens the provider's relationships and invitations, not its profile
    assert client.get(relationships, token=manager["token"]).status_code == 200
    assert client.get(invitations, token=manager["token"]).status_code == 200
    newcomer = accounts.secretary("Nova")
    invited = client.post(invitations, token=manager["token"],
                          json={"secretary_id": newcomer["id"], "roles": ["billing"]})
    assert invited.status_code == 201, invited.text
    assert profile(client, provider, manager).status_code == 403
    # commercial opens the profile, not relationships
    assert profile(client, provider, commercial).status_code == 200
    assert client.get(relationships, token=commercial["token"]).status_code == 403
    # authorizations and billing: their endpoints belong to later services; /me shows the roles,
    # and neither opens the profile or relationships
    for role in ("authorizations", "billing"):
        assert profile(client, provider, by_role[role]).status_code == 403
        assert client.post(invitations, token=by_role[role]["token"], json={
            "secretary_id": newcomer["id"], "roles": ["billing"]}).status_code == 403
    # any active relationship shows the accreditation
    for secretary in by_role.values():
        answer = client.get(f"{API}/providers/{provider['id']}/accreditations",
                            token=secretary["token"])
        assert answer.status_code == 200
    accreditation = client.get(f"{API}/providers/{provider['id']}/accreditations",
                               token=provider["token"]).json()["items"]
    assert [(a["status"], a["since"]) for a in accreditation] == [
        ("active", sao_paulo_today().isoformat())]
    assert accreditation[0]["operator"]

    # a secretary who does not act for the provider: 403; another provider: 404
    outsider, other_provider = accounts.secretary("Outsider"), accounts.provider("Outra")
    assert client.get(relationships, token=outsider["token"]).status_code == 403
    assert profile(client, provider, outsider).status_code == 403
    assert client.get(relationships, token=other_provider["token"]).status_code == 404
    assert client.get(f"{API}/providers/{provider['id']}/accreditations",
                      token=other_provider["token"]).status_code == 404
    assert client.get(f"{API}/me/relationships", token=provider["token"]).status_code == 403


def test_a_role_change_applies_from_the_next_request(client, accounts, provider):
    dora, manager = accounts.secretary("Dora"), accounts.secretary("Gerente")
    relationship = accounts.relate(provider, dora, ["commercial"])
    mine = accounts.relate(provider, manager, ["manage_relationships"])
    assert profile(client, provider, dora).status_code == 200

    changed = client.patch(f"{API}/relationships/{relationship['id']}", token=manager["token"],
                           json={"roles": ["billing"]})
    assert changed.status_code == 200 and changed.json()["roles"] == ["billing"]
    assert profile(client, provider, dora).status_code == 403
    assert acting_for(client, dora)[0]["roles"] == ["billing"]

    assert client.patch(f"{API}/relationships/{relationship['id']}", token=dora["token"],
                        json={"roles": ["commercial"]}).status_code == 403
    assert client.patch(f"{API}/relationships/{mine['id']}", token=manager["token"],
                        json={"roles": ROLES}).status_code == 403
    assert client.patch(f"{API}/relationships/{relationship['id']}", token=provider["token"],
                        json={"roles": []}).status_code == 422
    back = client.patch(f"{API}/relationships/{relationship['id']}", token=provider["token"],
                        json={"roles": ["commercial", "billing"]})
    assert back.status_code == 200
    assert profile(client, provider, dora).status_code == 200


def test_a_change_made_through_one_gateway_applies_at_once_through_another(
        stack, client, accounts, provider):
    """Each gateway caches a secretary's grants; the change's broadcast event clears them all."""
    if stack.kind != "distributed":
        pytest.skip("one gateway process in the all-in-one mode")
    port = free_port()
    stack.start_process("gateway-2", "run", "gateway",
                        env={"PONTE_HTTP_ADDRESS": f"127.0.0.1:{port}"})
    try:
        other = Client(f"http://127.0.0.1:{port}")
        wait_until(lambda: _answers(other), 60, 0.3, "the second gateway")
        ivo = accounts.secretary("Ivo")
        relationship = accounts.relate(provider, ivo, ["commercial"])
        assert profile(other, provider, ivo).status_code == 200   # cached there now
        changed = client.patch(f"{API}/relationships/{relationship['id']}",
                               token=provider["token"], json={"roles": ["billing"]})
        assert changed.status_code == 200
        wait_until(lambda: profile(other, provider, ivo).status_code == 403, 5, 0.1,
                   "the other gateway to apply the role change")
        client.post(f"{API}/relationships/{relationship['id']}/end", token=provider["token"])
        wait_until(lambda: acting_for(other, ivo) == [], 5, 0.1,
                   "the other gateway to apply the ending")
    finally:
        stack.stop_process("gateway-2")


def _answers(client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except Exception:
        return False


def test_ending_a_relationship_forbids_the_next_request(client, accounts, provider):
    eva, fia = accounts.secretary("Eva"), accounts.secretary("Fia")
    by_herself = accounts.relate(provider, eva, ["commercial"])
    by_provider = accounts.relate(provider, fia, ["commercial"])
    for who in (eva, fia):
        assert profile(client, provider, who).status_code == 200

    ended = client.post(f"{API}/relationships/{by_herself['id']}/end", token=eva["token"])
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended" and ended.json()["ends_at"].endswith("Z")
    ended = client.post(f"{API}/relationships/{by_provider['id']}/end", token=provider["token"])
    assert ended.status_code == 200
    for who in (eva, fia):
        assert profile(client, provider, who).status_code == 403
        assert acting_for(client, who) == []
    assert client.post(f"{API}/relationships/{by_provider['id']}/end",
                       token=provider["token"]).status_code == 409
    listed = client.get(f"{API}/me/relationships", token=eva["token"]).json()["items"]
    assert listed[0]["status"] == "ended"


def test_a_deleted_secretary_ends_her_relationships(client, accounts, provider):
    gil = accounts.secretary("Gil")
    relationship = accounts.relate(provider, gil, ["billing"])
    deleted = client.delete(f"{API}/me", token=gil["token"],
                            json={"current_password": PASSWORD})
    assert deleted.status_code == 204, deleted.text

    def status():
        items = client.get(f"{API}/providers/{provider['id']}/relationships",
                           token=provider["token"]).json()["items"]
        return next(r["status"] for r in items if r["id"] == relationship["id"]) == "ended"
    wait_until(status, 20, 0.2, "the deleted secretary's relationship to end")


def test_a_relationship_expires_after_its_last_day(stack, client, accounts, provider):
    """relationships is restarted two days ahead (PONTE_CLOCK_OFFSET_DAYS), so the expiry job
    finds the relationship past its end; it is restarted on today's clock afterwards, so the
    tests of this module do not depend on running before or after this one."""
    hana = accounts.secretary("Hana")
    tomorrow = (sao_paulo_today() + timedelta(days=1)).isoformat()
    relationship = accounts.relate(provider, hana, ["commercial"], until=tomorrow)
    assert profile(client, provider, hana).status_code == 200

    name = "ponte-up" if stack.kind == "embedded" else "relationships"

    def restart(**env: str) -> None:
        stack.stop_process(name)
        stack.start_process(name, *(("up",) if name == "ponte-up" else ("run", name)), env=env)
        stack.wait_ready()

    restart(PONTE_CLOCK_OFFSET_DAYS="2")
    try:
        # well within the gateways' 30 s cache: the expiry job's event clears it
        wait_until(lambda: acting_for(client, hana) == [], 10, 0.2, "the grant to go")
        assert profile(client, provider, hana).status_code == 403
        mine = client.get(f"{API}/me/relationships", token=hana["token"]).json()["items"]
        assert [(r["id"], r["status"]) for r in mine] == [(relationship["id"], "expired")]
    finally:
        restart()


def test_every_field_error_of_an_invitation_comes_in_one_answer(client, accounts, provider):
    """Issue 17 item 4: unknown roles and an account that is not a secretary, together; and
    the remaining create/update bodies of relationships with several mistakes."""
    invitations = f"{API}/providers/{provider['id']}/invitations"
    me = client.get(f"{API}/me", token=provider["token"]).json()["id"]
    answer = client.post(invitations, token=provider["token"],
                         json={"secretary_id": me, "roles": ["boss", "billing"]})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"roles.0", "secretary_id"}
    answer = client.post(invitations, token=provider["token"],
                         json={"secretary_id": "not-a-uuid", "roles": []})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"roles", "secretary_id"}
    answer = client.post(invitations, token=provider["token"],
                         json={"secretary_id": str(uuid.uuid4()), "roles": ["boss"]})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"roles.0", "secretary_id"}
    bia = accounts.secretary("Bia Errada")
    relationship = accounts.relate(provider, bia, ["billing"])
    answer = client.patch(f"{API}/relationships/{relationship['id']}", token=provider["token"],
                          json={"roles": ["boss", "chief"]})
    assert answer.status_code == 422 and set(answer.json()["errors"]) == {"roles.0", "roles.1"}
