"""Shapes of the authorizations endpoints, checked once at the edge (gateway/authorizations)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from gateway.authorizations.schemas import PaymentBody

PAYMENT = {"provider_id": "p1", "invoice": {"number": "NF-1", "issued_on": "2026-11-20",
                                            "amount": "10.00"},
           "amount_paid": "10.00", "paid_on": "2026-11-30"}


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
