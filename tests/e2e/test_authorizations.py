"""Authorizations through HTTP on both runtimes, with accounts made through the real API: the
catalogue, requests authorized at once or audited per item, drafts, the timeline with files from
either side, appeal, cancellation, code checks, payments and inquiries — and who may see what."""
from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from tests.e2e.test_relationships import PASSWORD, Accounts
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj, new_cpf

API = "/api/v1"
REQUESTS = f"{API}/authorization-requests"
SP = ZoneInfo("America/Sao_Paulo")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 2048
CONSULTATION, PERIAPICAL, RESIN_2F = "81000065", "81000421", "85100200"
ROOT_CANAL, ORTHODONTICS = "85200034", "87000016"  # both need review


class Desk(Accounts):
    """Accounts plus the operator's auditors."""

    def staff(self, roles: list[str], name: str = "Aurora Auditora") -> dict:
        admin = self.client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
        email = f"staff-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = self.client.post(f"{API}/staff", token=admin,
                                  json={"email": email, "name": name, "roles": roles})
        assert answer.status_code == 201, answer.text
        self._set_password(email)
        return {"id": answer.json()["id"], "name": name, "email": email,
                "token": self.client.token(email, PASSWORD)}


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack.client, stack.mail)


@pytest.fixture(scope="module")
def provider(desk):
    return desk.provider("Clínica Sorriso")


@pytest.fixture(scope="module")
def auditor(desk):
    return desk.staff(["auditor"])


def sao_paulo_today() -> date:
    return datetime.now(UTC).astimezone(SP).date()


def body(items: list[dict] | None = None, **extra) -> dict:
    return {"demand_group": "rede_credenciada_movimentacoes",
            "demand_type": "odontologia_solic_proced_ambulatoriais",
            "contact": {"name": "Regina Recepção", "phone": "(21) 3479-1200",
                        "email": "recepcao@sorriso.test"},
            "professional_document": PROFESSIONAL,
            "beneficiary": {"cpf": BENEFICIARY, "card_number": "090216100",
                            "name": "Bruno Beneficiário"},
            "observations": "Paciente com dor no 36.",
            "items": items if items is not None else [
                {"procedure_code": CONSULTATION, "quantity": 1},
                {"procedure_code": RESIN_2F, "quantity": 1, "tooth": 36, "faces": ["O", "M"]}],
            **extra}


PROFESSIONAL, BENEFICIARY = new_cpf(11), new_cpf(22)


def create(client, who: dict, **kw):
    return client.post(REQUESTS, token=who["token"], json=body(**kw))


def upload(client, who: dict, name: str = "raio-x.pdf") -> dict:
    answer = client.post(f"{API}/uploads", token=who["token"],
                         files={"file": (name, PDF, "application/pdf")})
    assert answer.status_code == 201, answer.text
    return answer.json()


def next_business_day(moment: datetime) -> datetime:
    local = moment.astimezone(SP)
    day = local.date() + timedelta(days=1)
    while day.weekday() >= 5 or day in holidays.country_holidays("BR", years=day.year):
        day += timedelta(days=1)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=SP)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- catalogue ------------------------------------------------------------------------------

def test_demand_types_and_a_searchable_dental_catalogue(client, provider):
    types = client.get(f"{API}/demand-types", token=provider["token"]).json()["items"]
    assert {"group": "rede_credenciada_movimentacoes",
            "type": "odontologia_solic_proced_ambulatoriais"}.items() <= types[0].items()
    found = client.get(f"{API}/procedures", token=provider["token"],
                       params={"q": "restauracao resina"}).json()["items"]
    assert found and all(re.fullmatch(r"\d{8}", p["code"]) for p in found)
    assert {p["code"] for p in found} >= {RESIN_2F}
    resin = next(p for p in found if p["code"] == RESIN_2F)
    assert resin == {"code": RESIN_2F, "name": resin["name"], "requires_review": False,
                     "requires_tooth": True, "requires_region": False, "requires_faces": True}
    canal = client.get(f"{API}/procedures", token=provider["token"],
                       params={"q": ROOT_CANAL}).json()["items"]
    assert [p["requires_review"] for p in canal] == [True]
    page = client.get(f"{API}/procedures", token=provider["token"], params={"limit": 5}).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = client.get(f"{API}/procedures", token=provider["token"],
                      params={"limit": 200, "cursor": page["next_cursor"]}).json()["items"]
    codes = [p["code"] for p in page["items"] + rest]
    assert codes == sorted(codes) and len(codes) == len(set(codes)) >= 30


def test_the_operator_adds_and_edits_procedures(client, desk, provider):
    code = f"9{uuid.uuid4().int % 10**7:07d}"
    new = {"code": code, "name": "Clareamento dental caseiro", "requires_review": True}
    answer = client.post(f"{API}/procedures", token=desk.operator, json=new)
    assert answer.status_code == 201, answer.text
    assert answer.json()["requires_review"] is True and answer.json()["requires_tooth"] is False
    assert client.post(f"{API}/procedures", token=desk.operator, json=new).status_code == 409
    assert client.post(f"{API}/procedures", token=provider["token"], json=new).status_code == 403
    bad = client.post(f"{API}/procedures", token=desk.operator, json={**new, "code": "12AB"})
    assert bad.status_code == 422 and "code" in bad.json()["errors"]
    edited = client.patch(f"{API}/procedures/{code}", token=desk.operator,
                          json={"requires_review": False, "name": "Clareamento caseiro"})
    assert edited.status_code == 200 and edited.json()["requires_review"] is False
    assert client.patch(f"{API}/procedures/00000000", token=desk.operator,
                        json={"name": "x"}).status_code == 404


# -- submission -----------------------------------------------------------------------------

def test_a_request_without_review_is_authorized_at_once_with_a_90_day_code(client, provider):
    answer = create(client, provider)
    assert answer.status_code == 201, answer.text
    request = answer.json()
    today = sao_paulo_today()
    assert request["status"] == "authorized"
    assert re.fullmatch(r"\d{8}", request["number"])
    assert re.fullmatch(rf"324477{today:%Y%m%d}\d{{6}}", request["protocol"])
    assert request["submitted_at"].endswith("Z") and request["decided_at"] is not None
    assert request["due_at"] is None and request["provider_id"] == provider["id"]
    assert [i["status"] for i in request["items"]] == ["authorized", "authorized"]
    assert request["items"][1] | {"id": None} == {
        "id": None, "procedure_code": RESIN_2F, "quantity": 1, "tooth": 36, "region": None,
        "faces": ["O", "M"], "status": "authorized", "denial_reason": None}
    code = request["authorization"]
    assert code["valid_until"] == (today + timedelta(days=89)).isoformat()
    assert code["procedure_codes"] == [CONSULTATION, RESIN_2F]
    assert request["beneficiary"] == {"cpf": BENEFICIARY, "card_number": "090216100",
                                      "name": "Bruno Beneficiário"}

    check = client.get(f"{API}/authorization-codes/{code['code']}", token=provider["token"],
                       params={"beneficiary": BENEFICIARY, "professional_document": PROFESSIONAL,
                               "procedure_code": RESIN_2F})
    assert check.status_code == 200, check.text
    assert check.json() | {"code": None, "request_id": None} == {
        "code": None, "request_id": None, "valid": True, "reason": None,
        "valid_until": code["valid_until"], "request_number": request["number"],
        "procedure_codes": [CONSULTATION, RESIN_2F]}
    for params, reason in (({"beneficiary": new_cpf()}, "beneficiary_mismatch"),
                           ({"beneficiary": "090216100"}, None),
                           ({"professional_document": new_cpf()}, "professional_mismatch"),
                           ({"procedure_code": ROOT_CANAL}, "procedure_not_authorized")):
        checked = client.get(f"{API}/authorization-codes/{code['code']}",
                             token=provider["token"], params=params).json()
        assert (checked["valid"], checked["reason"]) == (reason is None, reason), params
    assert client.get(f"{API}/authorization-codes/AAAA-BBBB-CCCC-DDDD",
                      token=provider["token"]).status_code == 404

    timeline = client.get(f"{REQUESTS}/{request['id']}/interactions",
                          token=provider["token"]).json()["items"]
    assert [(i["kind"], i["author"]["side"]) for i in timeline] == [("submission", "provider")]
    assert timeline[0]["author"]["name"] == provider["legal_name"]


def test_numbers_and_protocols_follow_each_other(client, provider):
    first, second = (create(client, provider).json() for _ in range(2))
    assert int(second["number"]) == int(first["number"]) + 1
    assert int(second["protocol"][-6:]) == int(first["protocol"][-6:]) + 1


def test_invalid_items_and_documents_are_422_with_dotted_paths(client, provider):
    cases = [
        ([{"procedure_code": "99999999", "quantity": 1}], "items.0.procedure_code"),
        ([{"procedure_code": PERIAPICAL, "quantity": 1}], "items.0.tooth"),
        ([{"procedure_code": CONSULTATION, "quantity": 1, "tooth": 11}], "items.0.tooth"),
        ([{"procedure_code": PERIAPICAL, "quantity": 1, "tooth": 19}], "items.0.tooth"),
        ([{"procedure_code": PERIAPICAL, "quantity": 1, "tooth": "11"}], "items.0.tooth"),
        ([{"procedure_code": RESIN_2F, "quantity": 1, "tooth": 36}], "items.0.faces"),
        ([{"procedure_code": RESIN_2F, "quantity": 1, "tooth": 36, "faces": ["P"]}],
         "items.0.faces"),
        ([{"procedure_code": RESIN_2F, "quantity": 1, "tooth": 11, "faces": ["X"]}],
         "items.0.faces.0"),
        ([{"procedure_code": ORTHODONTICS, "quantity": 1}], "items.0.region"),
        ([{"procedure_code": ORTHODONTICS, "quantity": 1, "region": "XX"}], "items.0.region"),
        ([{"procedure_code": CONSULTATION, "quantity": 1},
          {"procedure_code": CONSULTATION, "quantity": 0}], "items.1.quantity"),
        ([], "items"),
    ]
    for items, path in cases:
        answer = create(client, provider, items=items)
        assert answer.status_code == 422, (items, answer.text)
        assert path in answer.json()["errors"], (path, answer.json())
    for field, value, path in (
            ("professional_document", "123.456.789-00", "professional_document"),
            ("beneficiary", {"cpf": "11111111111"}, "beneficiary.cpf"),
            ("beneficiary", {"name": "Sem documento"}, "beneficiary"),
            ("demand_type", "internacao", "demand_type")):
        answer = client.post(REQUESTS, token=provider["token"], json={**body(), field: value})
        assert answer.status_code == 422 and path in answer.json()["errors"], answer.text
    with_cnpj = client.post(REQUESTS, token=provider["token"],
                            json={**body(), "professional_document": new_cnpj()})
    assert with_cnpj.status_code == 201, with_cnpj.text


def test_a_draft_gets_items_added_and_removed_then_is_submitted(client, provider):
    draft = create(client, provider, items=[], draft=True)
    assert draft.status_code == 201, draft.text
    request = draft.json()
    assert (request["status"], request["number"], request["protocol"]) == ("draft", None, None)
    empty = client.post(f"{REQUESTS}/{request['id']}/submit", token=provider["token"])
    assert empty.status_code == 422 and "items" in empty.json()["errors"]

    url = f"{REQUESTS}/{request['id']}/items"
    wrong = client.post(url, token=provider["token"],
                        json={"procedure_code": PERIAPICAL, "quantity": 1})
    assert wrong.status_code == 422 and "tooth" in wrong.json()["errors"]
    kept = client.post(url, token=provider["token"],
                       json={"procedure_code": PERIAPICAL, "quantity": 2, "tooth": 46})
    mistaken = client.post(url, token=provider["token"],
                           json={"procedure_code": CONSULTATION, "quantity": 1})
    assert kept.status_code == mistaken.status_code == 201, kept.text
    assert client.delete(f"{url}/{mistaken.json()['id']}",
                         token=provider["token"]).status_code == 204
    assert client.delete(f"{url}/{mistaken.json()['id']}",
                         token=provider["token"]).status_code == 404
    submitted = client.post(f"{REQUESTS}/{request['id']}/submit", token=provider["token"])
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "authorized"
    assert [i["id"] for i in submitted.json()["items"]] == [kept.json()["id"]]
    assert client.post(url, token=provider["token"], json={
        "procedure_code": CONSULTATION, "quantity": 1}).status_code == 409
    assert client.delete(f"{url}/{kept.json()['id']}", token=provider["token"]).status_code == 409
    assert client.post(f"{REQUESTS}/{request['id']}/submit",
                       token=provider["token"]).status_code == 409


def test_a_retried_create_with_the_same_key_returns_the_first_answer(client, provider):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = client.post(REQUESTS, token=provider["token"], json=body(), headers=key)
    again = client.post(REQUESTS, token=provider["token"], json=body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = client.post(REQUESTS, token=provider["token"],
                        json=body(observations="outra"), headers=key)
    assert other.status_code == 409


# -- audit ----------------------------------------------------------------------------------

def test_review_waits_one_business_day_and_the_auditor_decides_per_item(
        client, desk, provider, auditor):
    answer = create(client, provider, items=[
        {"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 11},
        {"procedure_code": PERIAPICAL, "quantity": 1, "tooth": 11}])
    assert answer.status_code == 201, answer.text
    request = answer.json()
    assert request["status"] == "awaiting_audit" and request["authorization"] is None
    assert request["decided_at"] is None and request["overdue"] is False
    submitted = instant(request["submitted_at"])
    assert instant(request["due_at"]) == next_business_day(submitted)
    assert [i["status"] for i in request["items"]] == ["pending", "pending"]

    queue = client.get(f"{API}/audit-queue", token=auditor["token"], params={"limit": 200})
    assert queue.status_code == 200, queue.text
    dues = [instant(r["due_at"]) for r in queue.json()["items"]]
    assert request["id"] in [r["id"] for r in queue.json()["items"]] and dues == sorted(dues)
    assert client.get(f"{API}/audit-queue", token=provider["token"]).status_code == 403

    url = f"{REQUESTS}/{request['id']}/decision"
    assert client.post(url, token=provider["token"],
                       json={"outcome": "authorized"}).status_code == 403
    assert client.post(url, token=desk.operator, json={"outcome": "authorized"}).status_code == 403
    unjustified = client.post(url, token=auditor["token"], json={"outcome": "denied"})
    assert unjustified.status_code == 422 and "justification" in unjustified.json()["errors"]
    canal, xray = request["items"]
    decided = client.post(url, token=auditor["token"], json={
        "outcome": "partially_authorized", "justification": "Endodontia sem radiografia.",
        "items": [{"item_id": canal["id"], "authorized": False, "denial_reason": "technical"},
                  {"item_id": xray["id"], "authorized": True}]})
    assert decided.status_code == 200, decided.text
    result = decided.json()
    assert result["status"] == "partially_authorized" and result["decided_at"]
    assert result["due_at"] is None
    assert [(i["status"], i["denial_reason"]) for i in result["items"]] == [
        ("denied", "technical"), ("authorized", None)]
    assert result["authorization"]["procedure_codes"] == [PERIAPICAL]
    assert client.post(url, token=auditor["token"],
                       json={"outcome": "authorized"}).status_code == 409
    check = client.get(f"{API}/authorization-codes/{result['authorization']['code']}",
                       token=auditor["token"], params={"procedure_code": ROOT_CANAL}).json()
    assert (check["valid"], check["reason"]) == (False, "procedure_not_authorized")

    timeline = client.get(f"{REQUESTS}/{request['id']}/interactions",
                          token=provider["token"]).json()["items"]
    assert [(i["kind"], i["author"]["side"]) for i in timeline] == [
        ("submission", "provider"), ("decision", "operator")]
    assert timeline[1]["author"] == {"id": auditor["id"], "name": auditor["name"],
                                     "side": "operator"}
    assert timeline[1]["message"] == "Endodontia sem radiografia."


def test_a_denial_is_appealed_and_goes_back_to_audit(client, provider, auditor):
    request = create(client, provider, items=[
        {"procedure_code": ORTHODONTICS, "quantity": 1, "region": "AS"}]).json()
    url = f"{REQUESTS}/{request['id']}"
    assert client.post(f"{url}/appeal", token=provider["token"],
                       json={"justification": "cedo demais"}).status_code == 409
    unknown = client.post(f"{url}/decision", token=auditor["token"], json={
        "outcome": "denied", "justification": "x", "denial_reason": "whim"})
    assert unknown.status_code == 422 and "denial_reason" in unknown.json()["errors"]
    denied = client.post(f"{url}/decision", token=auditor["token"], json={
        "outcome": "denied", "justification": "Falta documentação.",
        "denial_reason": "documentation"})
    assert denied.status_code == 200 and denied.json()["status"] == "denied"
    assert denied.json()["authorization"] is None and denied.json()["decided_at"]
    assert [i["denial_reason"] for i in denied.json()["items"]] == ["documentation"]
    assert client.post(f"{url}/cancel", token=provider["token"],
                       json={"reason": "x"}).status_code == 409
    blank = client.post(f"{url}/appeal", token=provider["token"], json={"justification": "  "})
    assert blank.status_code == 422 and "justification" in blank.json()["errors"]
    appealed = client.post(f"{url}/appeal", token=provider["token"],
                           json={"justification": "Segue documentação ortodôntica."})
    assert appealed.status_code == 200, appealed.text
    again = appealed.json()
    assert again["status"] == "awaiting_audit" and again["decided_at"] is None
    assert again["due_at"] and [i["status"] for i in again["items"]] == ["pending"]
    authorized = client.post(f"{url}/decision", token=auditor["token"],
                             json={"outcome": "authorized"})
    assert authorized.status_code == 200 and authorized.json()["status"] == "authorized"
    assert authorized.json()["authorization"]["procedure_codes"] == [ORTHODONTICS]
    kinds = [i["kind"] for i in client.get(f"{url}/interactions",
                                           token=provider["token"]).json()["items"]]
    assert kinds == ["submission", "decision", "appeal", "decision"]


def test_cancel_while_undecided_only(client, provider, auditor):
    request = create(client, provider, items=[
        {"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 21}]).json()
    url = f"{REQUESTS}/{request['id']}"
    assert client.post(f"{url}/cancel", token=provider["token"],
                       json={"reason": ""}).status_code == 422
    cancelled = client.post(f"{url}/cancel", token=provider["token"],
                            json={"reason": "Paciente desistiu."})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["due_at"] is None
    assert client.post(f"{url}/cancel", token=provider["token"],
                       json={"reason": "de novo"}).status_code == 409
    assert client.post(f"{url}/decision", token=auditor["token"],
                       json={"outcome": "authorized"}).status_code == 409
    queue = client.get(f"{API}/audit-queue", token=auditor["token"],
                       params={"limit": 200}).json()["items"]
    assert request["id"] not in [r["id"] for r in queue]


# -- timeline and files ---------------------------------------------------------------------

def test_the_timeline_holds_messages_and_documents_from_both_sides(
        client, desk, provider, auditor):
    xray = upload(client, provider)
    request = create(client, provider, attachment_ids=[xray["id"]], items=[
        {"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 46}]).json()
    assert request["attachments"] == [{k: xray[k] for k in ("id", "filename", "content_type",
                                                             "size")}]
    url = f"{REQUESTS}/{request['id']}/interactions"
    question = client.post(url, token=auditor["token"],
                           json={"message": "Envie a radiografia final, por favor."})
    assert question.status_code == 201, question.text
    invoice = upload(client, provider, "nota-fiscal.pdf")
    document = client.post(url, token=provider["token"], json={
        "message": "Nota fiscal e radiografia.", "kind": "document",
        "attachment_ids": [invoice["id"]]})
    assert document.status_code == 201, document.text
    assert document.json()["attachments"][0]["id"] == invoice["id"]
    stolen = upload(client, auditor, "alheio.pdf")
    refused = client.post(url, token=provider["token"],
                          json={"message": "x", "attachment_ids": [stolen["id"]]})
    assert refused.status_code == 422 and "attachment_ids.0" in refused.json()["errors"]
    assert client.post(url, token=provider["token"], json={"message": " "}).status_code == 422

    timeline = client.get(url, token=desk.operator).json()["items"]
    assert [(i["kind"], i["author"]["side"], [a["id"] for a in i["attachments"]])
            for i in timeline] == [("submission", "provider", [xray["id"]]),
                                   ("message", "operator", []),
                                   ("document", "provider", [invoice["id"]])]
    assert timeline[1]["author"]["name"] == auditor["name"]
    stamps = [instant(i["created_at"]) for i in timeline]
    assert stamps == sorted(stamps)

    for who in (auditor, {"token": desk.operator}):
        got = client.get(f"{API}/attachments/{invoice['id']}", token=who["token"])
        assert got.status_code == 200 and got.content == PDF
    other = desk.provider("Clínica Alheia")
    assert client.get(f"{API}/attachments/{invoice['id']}",
                      token=other["token"]).status_code == 404
    assert client.get(url, token=other["token"]).status_code == 404
    assert client.get(f"{REQUESTS}/{request['id']}", token=other["token"]).status_code == 404


# -- who sees what ----------------------------------------------------------------------------

def test_secretaries_act_by_role_and_other_providers_see_nothing(client, desk, provider):
    authorizer = desk.secretary("Sofia Autorizações")
    biller = desk.secretary("Bianca Faturamento")
    desk.relate(provider, authorizer, ["authorizations"])
    desk.relate(provider, biller, ["billing"])
    made = client.post(REQUESTS, token=authorizer["token"], json=body())  # provider_id implied
    assert made.status_code == 201, made.text
    assert made.json()["provider_id"] == provider["id"]
    refused = client.post(REQUESTS, token=biller["token"],
                          json=body(provider_id=provider["id"]))
    assert refused.status_code == 403
    assert client.get(f"{REQUESTS}/{made.json()['id']}", token=biller["token"]).status_code \
        == 403
    timeline = client.get(f"{REQUESTS}/{made.json()['id']}/interactions",
                          token=provider["token"]).json()["items"]
    assert timeline[0]["author"] == {"id": authorizer["id"], "name": authorizer["name"],
                                     "side": "provider"}

    other = desk.provider("Clínica Vizinha")
    assert client.get(f"{REQUESTS}/{made.json()['id']}", token=other["token"]).status_code \
        == 404
    assert client.post(REQUESTS, token=other["token"],
                       json=body(provider_id=provider["id"])).status_code in (403, 404)
    assert client.get(REQUESTS, token=other["token"],
                      params={"provider_id": provider["id"]}).status_code == 404
    mine = client.get(REQUESTS, token=other["token"]).json()["items"]
    assert mine == []
    assert client.get(REQUESTS, token=biller["token"]).status_code == 403
    stranger = desk.secretary("Estela Estranha")
    assert client.get(REQUESTS, token=stranger["token"],
                      params={"provider_id": provider["id"]}).status_code == 404
    unnamed = client.get(REQUESTS, token=stranger["token"])
    assert unnamed.status_code == 422 and "provider_id" in unnamed.json()["errors"]
    assert client.get(f"{API}/payments", token=stranger["token"],
                      params={"provider_id": provider["id"]}).status_code == 404


def test_lists_filter_like_the_desk_table_and_paginate(client, desk, provider, auditor):
    card = f"{uuid.uuid4().int % 10**9:09d}"
    typed = f"{card[:3]}.{card[3:6]}-{card[6:]}"  # as people type it
    made = [client.post(REQUESTS, token=provider["token"], json={
        **body(), "beneficiary": {"card_number": typed, "name": "Lia"}}).json() for _ in range(3)]
    own = client.get(REQUESTS, token=provider["token"], params={"beneficiary": card}).json()
    assert [r["id"] for r in own["items"]] == [r["id"] for r in reversed(made)]
    assert set(own["items"][0]) >= {"id", "number", "protocol", "submitted_at", "demand_group",
                                    "demand_type", "beneficiary", "status"}
    first = client.get(REQUESTS, token=provider["token"],
                       params={"beneficiary": card, "limit": 2}).json()
    second = client.get(REQUESTS, token=provider["token"], params={
        "beneficiary": card, "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in first["items"] + second["items"]] == [r["id"] for r in
                                                                   reversed(made)]
    assert second["next_cursor"] is None
    for params in ({"number": made[1]["number"]}, {"protocol": made[1]["protocol"]}):
        found = client.get(REQUESTS, token=auditor["token"], params=params).json()["items"]
        assert [r["id"] for r in found] == [made[1]["id"]]
    today = sao_paulo_today().isoformat()
    dated = client.get(REQUESTS, token=provider["token"], params={
        "beneficiary": card, "date": today, "status": "authorized",
        "demand_group": "rede_credenciada_movimentacoes"}).json()["items"]
    assert len(dated) == 3
    yesterday = (sao_paulo_today() - timedelta(days=1)).isoformat()
    assert client.get(REQUESTS, token=provider["token"], params={
        "beneficiary": card, "date": yesterday}).json()["items"] == []
    as_csv = client.get(REQUESTS, token=provider["token"],
                        params={"beneficiary": card, "format": "csv"})
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0].startswith("submitted_at,protocol,number")
    bad = client.get(REQUESTS, token=provider["token"], params={"status": "lost"})
    assert bad.status_code == 422
    assert client.get(REQUESTS, token=provider["token"],
                      params={"cursor": "nonsense"}).status_code == 400


# -- payments and inquiries -------------------------------------------------------------------

def test_payments_are_decimal_strings_recorded_by_the_operator(client, desk, provider):
    request = create(client, provider).json()
    payment = {"provider_id": provider["id"], "request_id": request["id"],
               "beneficiary": {"card_number": "090216100"},
               "invoice": {"number": "NF-2026-118", "issued_on": "2026-11-20",
                           "amount": "1234.50"},
               "amount_paid": "1200.45", "paid_on": "2026-11-30"}
    answer = client.post(f"{API}/payments", token=desk.operator, json=payment)
    assert answer.status_code == 201, answer.text
    recorded = answer.json()
    assert recorded["invoice"] == {"number": "NF-2026-118", "issued_on": "2026-11-20",
                                   "amount": "1234.50"}
    assert (recorded["amount_paid"], recorded["withheld"]) == ("1200.45", "34.05")
    for change, path in (({"amount_paid": 1200.45}, "amount_paid"),
                         ({"amount_paid": "12,00"}, "amount_paid"),
                         ({"amount_paid": "2000.00"}, "amount_paid"),
                         ({"request_id": str(uuid.uuid4())}, "request_id"),
                         ({"provider_id": str(uuid.uuid4())}, "provider_id")):
        wrong = client.post(f"{API}/payments", token=desk.operator, json={**payment, **change})
        assert wrong.status_code == 422 and path in wrong.json()["errors"], (change, wrong.text)
    assert client.post(f"{API}/payments", token=provider["token"],
                       json=payment).status_code == 403

    listed = client.get(f"{API}/payments", token=provider["token"]).json()["items"]
    assert listed[0]["id"] == recorded["id"] and listed[0]["amount_paid"] == "1200.45"
    by_operator = client.get(f"{API}/payments", token=desk.operator,
                             params={"provider_id": provider["id"]}).json()["items"]
    assert recorded["id"] in [p["id"] for p in by_operator]
    authorizer = desk.secretary("Sara Só Autorizações")
    desk.relate(provider, authorizer, ["authorizations"])
    assert client.get(f"{API}/payments", token=authorizer["token"]).status_code == 403


def test_inquiries_are_threads_between_the_provider_side_and_the_operator(
        client, desk, provider):
    request = create(client, provider).json()
    opened = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "authorizations_payments", "message": "Quando será pago?",
        "request_id": request["id"]})
    assert opened.status_code == 201, opened.text
    inquiry = opened.json()
    assert (inquiry["subject"], inquiry["status"]) == ("authorizations_payments", "open")
    assert [(m["message"], m["author"]["side"]) for m in inquiry["messages"]] == [
        ("Quando será pago?", "provider")]
    assert client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "other", "message": "x"}).status_code == 422
    general = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "appointments_information", "message": "Horários do feriado?"})
    assert general.status_code == 201 and general.json()["request_id"] is None

    listed = client.get(f"{API}/inquiries", token=desk.operator,
                        params={"provider_id": provider["id"]}).json()["items"]
    assert inquiry["id"] in [i["id"] for i in listed]
    answer = client.post(f"{API}/inquiries/{inquiry['id']}/messages", token=desk.operator,
                         json={"message": "Na próxima liquidação."})
    assert answer.status_code == 201, answer.text
    assert answer.json()["author"]["side"] == "operator"
    thread = client.get(f"{API}/inquiries/{inquiry['id']}", token=provider["token"]).json()
    assert thread["status"] == "answered"
    assert [m["message"] for m in thread["messages"]] == ["Quando será pago?",
                                                          "Na próxima liquidação."]
    other = desk.provider("Clínica Curiosa")
    assert client.get(f"{API}/inquiries/{inquiry['id']}",
                      token=other["token"]).status_code == 404
    assert client.post(f"{API}/inquiries/{inquiry['id']}/messages", token=other["token"],
                       json={"message": "oi"}).status_code == 404


def test_every_authorizations_endpoint_is_documented(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    expected = {
        "/api/v1/demand-types": {"get"}, "/api/v1/procedures": {"get", "post"},
        "/api/v1/procedures/{code}": {"patch"},
        "/api/v1/authorization-requests": {"get", "post"},
        "/api/v1/authorization-requests/{id}": {"get"},
        "/api/v1/authorization-requests/{id}/items": {"post"},
        "/api/v1/authorization-requests/{id}/items/{item_id}": {"delete"},
        "/api/v1/authorization-requests/{id}/submit": {"post"},
        "/api/v1/authorization-requests/{id}/interactions": {"get", "post"},
        "/api/v1/authorization-requests/{id}/cancel": {"post"},
        "/api/v1/authorization-requests/{id}/decision": {"post"},
        "/api/v1/authorization-requests/{id}/appeal": {"post"},
        "/api/v1/authorization-codes/{code}": {"get"}, "/api/v1/audit-queue": {"get"},
        "/api/v1/payments": {"get", "post"}, "/api/v1/inquiries": {"get", "post"},
        "/api/v1/inquiries/{id}": {"get"}, "/api/v1/inquiries/{id}/messages": {"post"}}
    for path, methods in expected.items():
        assert methods <= set(paths.get(path, {})), path


@pytest.mark.parametrize("change", [
    {"items": "x"}, {"items": [None]}, {"items": [{"procedure_code": None, "quantity": 1}]},
    {"items": [{"procedure_code": "81000421", "quantity": True, "tooth": 11}]},
    {"items": [{"procedure_code": "81000421", "quantity": 1, "tooth": 11.5}]},
    {"items": [{"procedure_code": "81000421", "quantity": 10**30, "tooth": 11}]},
    {"items": [{"procedure_code": "85100200", "quantity": 1, "tooth": 36, "faces": "OM"}]},
    {"items": [{"procedure_code": "8" * 5000, "quantity": 1}]},
    {"contact": None}, {"contact": []}, {"beneficiary": "x"}, {"beneficiary": {"cpf": 123}},
    {"attachment_ids": ["../../etc/passwd"]}, {"attachment_ids": [1]},
    {"provider_id": "not-a-uuid"}, {"provider_id": 5}, {"draft": "maybe"},
    {"observations": "x" * 5000}, {"demand_group": ""},
])
def test_bad_bodies_are_4xx_never_5xx(client, provider, change):
    answer = client.post(REQUESTS, token=provider["token"], json={**body(), **change})
    assert 400 <= answer.status_code < 500, (change, answer.status_code, answer.text)


@pytest.mark.parametrize("path", [
    f"{REQUESTS}/nope", f"{REQUESTS}/{'x' * 500}", f"{REQUESTS}/%20/interactions",
    f"{API}/authorization-codes/{'Z' * 300}", f"{API}/inquiries/nope",
    f"{REQUESTS}?date=2026-02-30", f"{REQUESTS}?limit=0", f"{REQUESTS}?limit=201",
    f"{API}/procedures?cursor=W1td", f"{API}/procedures?limit=abc",
])
def test_bad_paths_and_queries_are_4xx_never_5xx(client, provider, path):
    answer = client.get(path, token=provider["token"])
    assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)
    odd = client.get(f"{API}/procedures", token=provider["token"], params={"q": "%_\\" * 30})
    assert odd.status_code == 200 and odd.json()["items"] == []


def test_an_empty_or_unknown_request_id_is_a_422_and_stores_nothing(client, desk, provider):
    """Found by fuzzing: ``"request_id": ""`` slipped past the existence check and hit the
    foreign key (500)."""
    before = client.get(f"{API}/inquiries", token=provider["token"]).json()["items"]
    for request_id in ("", "00000000-0000-0000-0000-000000000000"):
        inquiry = client.post(f"{API}/inquiries", token=provider["token"], json={
            "subject": "appointments_information", "message": "Olá", "request_id": request_id})
        assert inquiry.status_code == 422, inquiry.text
        assert "request_id" in inquiry.json()["errors"]
        payment = client.post(f"{API}/payments", token=desk.operator, json={
            "provider_id": provider["id"], "request_id": request_id,
            "invoice": {"number": "NF-1", "issued_on": "2026-11-20", "amount": "10.00"},
            "amount_paid": "10.00", "paid_on": "2026-11-30"})
        assert payment.status_code == 422, payment.text
        assert "request_id" in payment.json()["errors"]
    assert client.get(f"{API}/inquiries", token=provider["token"]).json()["items"] == before
