"""Shapes of the authorizations endpoints, checked once at the edge (gateway/authorizations)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from marshmallow import ValidationError

from gateway.authorizations.schemas import (
    ItemDecision,
    PaymentBody,
    ProcedureBody,
    ProcedureChanges,
    RequestBody,
)

PAYMENT = {"provider_id": "p1", "invoice": {"number": "NF-1", "issued_on": "2026-11-20",
                                            "amount": "10.00"},
           "amount_paid": "10.00", "paid_on": "2026-11-30"}

REQUEST = {"provider_id": "p1", "demand_group": "rede_credenciada_movimentacoes",
           "demand_type": "odontologia_solic_proced_ambulatoriais",
           "contact": {"name": "Regina", "phone": "(21) 3479-1200", "email": "r@sorriso.test"},
           "professional_document": "52998224725", "beneficiary": {"card_number": "123"},
           "items": [{"procedure_code": "81000065", "quantity": 1}]}


def errors_of(schema, body: dict) -> dict:
    with pytest.raises(ValidationError) as error:
        schema().load(body)
    return error.value.messages


@pytest.mark.parametrize("text", ["123.45", "7", "0.1", "999999999999.99"])
def test_amounts_are_decimal_strings(text):
    assert PaymentBody().load({**PAYMENT, "amount_paid": text})["amount_paid"] == text


@pytest.mark.parametrize("text", [123.45, 7, "1,50", "-1.00", "1.234", "1e3", "", None, "NaN"])
def test_amounts_that_are_not_decimal_strings_are_refused(text):
    assert "amount_paid" in errors_of(PaymentBody, {**PAYMENT, "amount_paid": text})


# -- strict values (issue 17, item 21) ----------------------------------------------------------

@pytest.mark.parametrize("text", ["１２３", " 12.00", "12.00 ", "١٢", "12.0０"])
def test_money_takes_ascii_digits_only_and_no_spaces(text):
    assert "amount_paid" in errors_of(PaymentBody, {**PAYMENT, "amount_paid": text})
    invoice = {**PAYMENT["invoice"], "amount": text}
    assert "amount" in errors_of(PaymentBody, {**PAYMENT, "invoice": invoice})["invoice"]


def test_a_payment_is_not_made_before_its_invoice():
    errors = errors_of(PaymentBody, {**PAYMENT, "paid_on": "2026-11-19"})
    assert list(errors) == ["paid_on"]
    assert PaymentBody().load({**PAYMENT, "paid_on": "2026-11-20"})["paid_on"].day == 20


@pytest.mark.parametrize("field, day", [("paid_on", "1999-12-31"), ("paid_on", "2101-01-01"),
                                        ("issued_on", "0999-01-01"), ("issued_on", "2101-06-01")])
def test_dates_of_payment_outside_2000_to_2100_are_refused(field, day):
    body = {**PAYMENT, "invoice": dict(PAYMENT["invoice"]), "paid_on": "2100-12-31"}
    if field == "paid_on":
        body["paid_on"] = day
        body["invoice"]["issued_on"] = "2000-01-01"
        assert "paid_on" in errors_of(PaymentBody, body)
    else:
        body["invoice"]["issued_on"] = day
        assert "issued_on" in errors_of(PaymentBody, body)["invoice"]


@pytest.mark.parametrize("schema, field, base", [
    (RequestBody, "draft", lambda: dict(REQUEST)),
    (ProcedureBody, "requires_review", lambda: {"code": "12345678", "name": "Consulta"}),
    (ProcedureChanges, "requires_tooth", dict),
    (ItemDecision, "authorized", lambda: {"item_id": "i1"})])
@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", "on", None])
def test_booleans_are_json_booleans(schema, field, base, value):
    assert field in errors_of(schema, {**base(), field: value})


def test_json_booleans_are_taken():
    assert RequestBody().load({**REQUEST, "draft": True})["draft"] is True
    assert ItemDecision().load({"item_id": "i", "authorized": False})["authorized"] is False


def test_the_gateway_takes_the_authorizations_words_from_the_contracts_not_the_service():
    gateway = Path(__file__).resolve().parents[2] / "gateway" / "authorizations"
    for module in gateway.glob("*.py"):
        tree = ast.parse(module.read_text())
        imported = [node.module or "" for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names]
        assert not [name for name in imported if name.split(".")[0] == "services"], module
