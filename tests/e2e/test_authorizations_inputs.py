"""Authorizations' inputs over HTTP on both runtimes (issue 17): what a care plan and an inquiry
may name, files on an appeal, a provider's incomplete profile, strict values, and every field
error of a create or update reported in one answer."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_authorizations import (
    API,
    CONSULTATION,
    ORTHODONTICS,
    REQUESTS,
    RESIN_2F,
    Desk,
    body,
    create,
    upload,
)
from tests.stack import register_citizen


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack.client, stack.mail)


@pytest.fixture(scope="module")
def provider(desk):
    return desk.provider("Clínica Entrada")


@pytest.fixture(scope="module")
def auditor(desk):
    return desk.staff(["auditor"])


def book(client, provider: dict) -> dict:
    citizen = register_citizen(client)
    when = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    booked = client.post(f"{API}/providers/{provider['id']}/appointments",
                         token=citizen["token"], json={"starts_at": when})
    assert booked.status_code == 201, booked.text
    return booked.json()


def pay(client, desk: Desk, provider: dict) -> dict:
    answer = client.post(f"{API}/payments", token=desk.operator, json={
        "provider_id": provider["id"], "invoice": {"number": "NF-7", "issued_on": "2026-11-20",
                                                   "amount": "100.00"},
        "amount_paid": "100.00", "paid_on": "2026-11-30"})
    assert answer.status_code == 201, answer.text
    return answer.json()


def denied(client, provider: dict, auditor: dict) -> str:
    request = create(client, provider, items=[
        {"procedure_code": ORTHODONTICS, "quantity": 1, "region": "AS"}]).json()
    url = f"{REQUESTS}/{request['id']}"
    answer = client.post(f"{url}/decision", token=auditor["token"], json={
        "outcome": "denied", "justification": "Falta laudo."})
    assert answer.status_code == 200, answer.text
    return url


# -- what a care plan and an inquiry name (item 6) ---------------------------------------------

def test_a_care_plan_is_started_from_an_appointment_booked_with_its_provider(
        client, desk, provider):
    appointment = book(client, provider)
    made = create(client, provider, appointment_id=appointment["id"])
    assert made.status_code == 201, made.text
    assert made.json()["appointment_id"] == appointment["id"]
    read = client.get(f"{REQUESTS}/{made.json()['id']}", token=provider["token"]).json()
    assert read["appointment_id"] == appointment["id"]
    assert create(client, provider).json()["appointment_id"] is None
    elsewhere = book(client, desk.provider("Clínica Vizinha"))
    for wrong in (elsewhere["id"], str(uuid.uuid4())):
        refused = create(client, provider, appointment_id=wrong)
        assert refused.status_code == 422, refused.text
        assert list(refused.json()["errors"]) == ["appointment_id"]


def test_an_inquiry_is_about_a_request_a_payment_or_an_appointment_of_the_provider(
        client, desk, provider):
    request, payment = create(client, provider).json(), pay(client, desk, provider)
    appointment = book(client, provider)
    opened = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "authorizations_payments", "message": "Sobre este pagamento",
        "request_id": request["id"], "payment_id": payment["id"],
        "appointment_id": appointment["id"]})
    assert opened.status_code == 201, opened.text
    inquiry = opened.json()
    assert (inquiry["request_id"], inquiry["payment_id"], inquiry["appointment_id"]) == (
        request["id"], payment["id"], appointment["id"])
    again = client.get(f"{API}/inquiries/{inquiry['id']}", token=desk.operator).json()
    assert again["payment_id"] == payment["id"]
    general = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "appointments_information", "message": "Horários?"}).json()
    assert (general["request_id"], general["payment_id"], general["appointment_id"]) == (
        None, None, None)

    other = desk.provider("Clínica Alheia")
    theirs = {"request_id": create(client, other).json()["id"],
              "payment_id": pay(client, desk, other)["id"],
              "appointment_id": book(client, other)["id"]}
    refused = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "authorizations_payments", "message": "?", **theirs})
    assert refused.status_code == 422, refused.text
    assert set(refused.json()["errors"]) == {"request_id", "payment_id", "appointment_id"}


# -- an appeal carries files (item 7) ----------------------------------------------------------

def test_an_appeal_carries_files_on_its_interaction(client, desk, provider, auditor):
    url = denied(client, provider, auditor)
    stranger = upload(client, desk.provider("Clínica Estranha"))
    foreign = client.post(f"{url}/appeal", token=provider["token"], json={
        "justification": "Segue laudo", "attachment_ids": [stranger["id"]]})
    assert foreign.status_code == 422 and "attachment_ids.0" in foreign.json()["errors"]
    laudo = upload(client, provider, "laudo.pdf")
    appealed = client.post(f"{url}/appeal", token=provider["token"], json={
        "justification": "Segue laudo", "attachment_ids": [laudo["id"]]})
    assert appealed.status_code == 200, appealed.text
    assert appealed.json()["status"] == "awaiting_audit"
    assert [a["id"] for a in appealed.json()["attachments"]] == [laudo["id"]]
    timeline = client.get(f"{url}/interactions", token=auditor["token"]).json()["items"]
    assert timeline[-1]["kind"] == "appeal"
    assert [a["filename"] for a in timeline[-1]["attachments"]] == ["laudo.pdf"]
    file = client.get(f"{API}/attachments/{laudo['id']}", token=auditor["token"])
    assert file.status_code in (200, 302)


# -- complete data before operating (item 11) --------------------------------------------------

def test_an_incomplete_profile_keeps_drafts_but_may_not_submit(client, desk):
    provider = desk.provider("Clínica Incompleta")
    profile = f"{API}/providers/{provider['id']}/profile"
    cleared = client.patch(profile, token=provider["token"], json={"phones": []})
    assert cleared.status_code == 200, cleared.text
    refused = create(client, provider)
    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"] == {"profile": ["phones"]}
    draft = create(client, provider, draft=True)
    assert draft.status_code == 201, draft.text
    submit = f"{REQUESTS}/{draft.json()['id']}/submit"
    refused = client.post(submit, token=provider["token"])
    assert refused.status_code == 409 and refused.json()["errors"] == {"profile": ["phones"]}
    assert client.patch(profile, token=provider["token"],
                        json={"phones": ["(21) 3479-1200"]}).status_code == 200
    assert client.post(submit, token=provider["token"]).json()["status"] == "authorized"


# -- strict values (item 21) -------------------------------------------------------------------

PAYMENT = {"invoice": {"number": "NF-8", "issued_on": "2026-11-20", "amount": "10.00"},
           "amount_paid": "10.00", "paid_on": "2026-11-30"}


@pytest.mark.parametrize("change, field", [
    ({"amount_paid": "１２３"}, "amount_paid"),
    ({"amount_paid": " 12.00"}, "amount_paid"),
    ({"invoice": {**PAYMENT["invoice"], "amount": "١٠"}}, "invoice.amount"),
    ({"paid_on": "2026-11-19"}, "paid_on"),
    ({"paid_on": "2101-01-02"}, "paid_on"),
    ({"invoice": {**PAYMENT["invoice"], "issued_on": "1999-12-31"}}, "invoice.issued_on")])
def test_payments_take_strict_money_and_dates(client, desk, provider, change, field):
    answer = client.post(f"{API}/payments", token=desk.operator,
                         json={"provider_id": provider["id"], **PAYMENT, **change})
    assert answer.status_code == 422, answer.text
    assert list(answer.json()["errors"]) == [field]


@pytest.mark.parametrize("draft", ["yes", "true", 1, 0])
def test_booleans_are_json_booleans(client, provider, draft):
    answer = create(client, provider, draft=draft)
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["draft"]


# -- every field error at once (item 4) --------------------------------------------------------

REQUEST_MISTAKES = {
    **body(), "demand_group": "", "contact": {"name": "R", "phone": "x", "email": "no"},
    "professional_document": "123", "beneficiary": {"cpf": "111"},
    "items": [{"procedure_code": CONSULTATION, "quantity": 0, "tooth": 99, "faces": ["Q"]}],
    "attachment_ids": "a", "draft": "yes", "appointment_id": 7}
REQUEST_FIELDS = {"demand_group", "contact.phone", "contact.email", "professional_document",
                  "beneficiary.cpf", "items.0.quantity", "items.0.tooth", "items.0.faces.0",
                  "attachment_ids", "draft", "appointment_id"}


def endpoints(ids: dict[str, str]) -> list[tuple[str, str, str, dict, set[str]]]:
    """(who, method, path, body with several independent mistakes, the fields named)."""
    request = f"{REQUESTS}/{ids['request']}"
    return [
        ("provider", "POST", REQUESTS, REQUEST_MISTAKES, REQUEST_FIELDS),
        ("provider", "POST", f"{request}/items",
         {"procedure_code": "", "quantity": "2", "tooth": 10, "region": "XX", "faces": "O"},
         {"procedure_code", "quantity", "tooth", "region", "faces"}),
        ("provider", "POST", f"{request}/interactions",
         {"message": " ", "kind": "memo", "attachment_ids": [1]},
         {"message", "kind", "attachment_ids.0"}),
        ("auditor", "POST", f"{request}/decision",
         {"outcome": "denied", "denial_reason": "whim",
          "items": [{"item_id": "x", "authorized": "yes", "denial_reason": "whim"}]},
         {"justification", "denial_reason", "items.0.authorized", "items.0.denial_reason"}),
        ("provider", "POST", f"{request}/appeal", {"justification": "", "attachment_ids": "a"},
         {"justification", "attachment_ids"}),
        ("provider", "POST", f"{request}/cancel", {"reason": 5}, {"reason"}),
        ("operator", "POST", f"{API}/procedures",
         {"code": "123", "name": " ", "requires_review": "yes", "requires_faces": 1},
         {"code", "name", "requires_review", "requires_faces"}),
        ("operator", "PATCH", f"{API}/procedures/{CONSULTATION}",
         {"name": "", "requires_tooth": "no", "requires_region": None},
         {"name", "requires_tooth", "requires_region"}),
        ("operator", "POST", f"{API}/payments",
         {"provider_id": 5, "beneficiary": {"cpf": "1"},
          "invoice": {"number": "", "issued_on": "2026-13-01", "amount": 10},
          "amount_paid": "1,00", "paid_on": "1999-01-01"},
         {"provider_id", "beneficiary.cpf", "invoice.number", "invoice.issued_on",
          "invoice.amount", "amount_paid", "paid_on"}),
        ("provider", "POST", f"{API}/inquiries",
         {"subject": "other", "message": "", "request_id": 1, "payment_id": [],
          "appointment_id": {}},
         {"subject", "message", "request_id", "payment_id", "appointment_id"}),
        ("provider", "POST", f"{API}/inquiries/{ids['inquiry']}/messages", {"message": " \n "},
         {"message"}),
    ]


ENDPOINTS = ["requests", "items", "interactions", "decision", "appeal", "cancel", "procedures",
             "procedure-changes", "payments", "inquiries", "inquiry-messages"]


@pytest.mark.parametrize("index", range(len(ENDPOINTS)), ids=ENDPOINTS)
def test_every_create_and_update_reports_every_field_error_at_once(
        client, desk, provider, auditor, index):
    request = create(client, provider).json()
    inquiry = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "authorizations_payments", "message": "?"}).json()
    tokens = {"provider": provider["token"], "auditor": auditor["token"],
              "operator": desk.operator}
    who, method, path, mistakes, fields = endpoints(
        {"request": request["id"], "inquiry": inquiry["id"]})[index]
    answer = client.request(method, path, token=tokens[who], json=mistakes)
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == fields


UNKNOWN_PROCEDURE = "99999999"
SHAPE_AND_RULE_MISTAKES = {
    "email-and-procedure": (
        body(contact={"name": "R", "phone": "(21) 3479-1200", "email": "no"},
             items=[{"procedure_code": UNKNOWN_PROCEDURE, "quantity": 1}]),
        {"contact.email", "items.0.procedure_code"}),
    "tooth-procedure-and-demand-type": (
        body(demand_type="not_a_type", items=[
            {"procedure_code": RESIN_2F, "quantity": 1, "tooth": 99, "faces": ["O"]},
            {"procedure_code": UNKNOWN_PROCEDURE, "quantity": "1"}]),
        {"demand_type", "items.0.tooth", "items.1.procedure_code", "items.1.quantity"}),
    "draft-with-a-procedure-needing-a-tooth": (
        body(draft=True, professional_document="123",
             items=[{"procedure_code": RESIN_2F, "quantity": 1, "faces": ["O"]}]),
        {"professional_document", "items.0.tooth"}),
}


@pytest.mark.parametrize("case", list(SHAPE_AND_RULE_MISTAKES))
def test_a_request_reports_the_schemas_and_the_services_errors_together(client, desk, case):
    """A format error and a catalogue rule's error come in one 422, never one after the other;
    a field the schema refused is not also blamed by a rule; nothing is created."""
    provider = desk.provider(f"Clínica Erros {case}")
    mistakes, fields = SHAPE_AND_RULE_MISTAKES[case]
    answer = client.post(REQUESTS, token=provider["token"], json=mistakes,
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == fields
    listed = client.get(REQUESTS, token=provider["token"])
    assert listed.status_code == 200 and listed.json()["items"] == []


def test_an_item_reports_the_schemas_and_the_catalogues_errors_together(client, provider):
    draft = create(client, provider, draft=True).json()
    url = f"{REQUESTS}/{draft['id']}"
    answer = client.post(f"{url}/items", token=provider["token"],
                         json={"procedure_code": UNKNOWN_PROCEDURE, "quantity": 0})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"procedure_code", "quantity"}
    answer = client.post(f"{url}/items", token=provider["token"],
                         json={"procedure_code": RESIN_2F, "quantity": "1", "faces": ["O"]})
    assert set(answer.json()["errors"]) == {"quantity", "tooth"}
    assert len(client.get(url, token=provider["token"]).json()["items"]) == len(draft["items"])


def test_a_payment_and_an_inquiry_report_every_error_together(client, desk):
    provider = desk.provider("Clínica Erros Pagamento")
    stranger = str(uuid.uuid4())
    answer = client.post(f"{API}/payments", token=desk.operator, json={
        "provider_id": provider["id"], "request_id": stranger,
        "invoice": {"number": "NF-8", "issued_on": "2026-11-20", "amount": "100.00"},
        "amount_paid": "1,00", "paid_on": "2026-11-30"})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"request_id", "amount_paid"}
    answer = client.post(f"{API}/payments", token=desk.operator, json={
        "provider_id": provider["id"], "request_id": stranger,
        "invoice": {"number": "NF-8", "issued_on": "2026-11-20", "amount": "100.00"},
        "amount_paid": "200.00", "paid_on": "2026-11-31"})
    assert set(answer.json()["errors"]) == {"request_id", "amount_paid", "paid_on"}
    listed = client.get(f"{API}/payments?provider_id={provider['id']}", token=desk.operator)
    assert listed.status_code == 200 and listed.json()["items"] == []
    answer = client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "whim", "message": "?", "payment_id": stranger})
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"subject", "payment_id"}
    assert client.get(f"{API}/inquiries", token=provider["token"]).json()["items"] == []
