"""Payments (liquidations) and money (003 "Liquidazioni"): exact decimals, never floats.

Amounts travel as decimal strings ("123.45") with at most two decimal places, are kept as
``Decimal`` and stored in ``Numeric`` columns."""
from __future__ import annotations

import re
from decimal import Decimal

from ponte.errors import InvalidInput

AMOUNT = re.compile(r"\d{1,12}(\.\d{1,2})?")
CENTS = Decimal("0.01")


def parse_amount(text: object, field: str) -> Decimal:
    """"1234.5" → Decimal("1234.50"); floats, negatives, thousands separators and more than two
    decimals are refused with a field error."""
    if not isinstance(text, str) or not AMOUNT.fullmatch(text.strip()):
        raise InvalidInput(f"{field} must be a decimal string like \"123.45\".",
                           {field: ["A decimal string with at most 2 decimals, like \"123.45\"."]})
    return Decimal(text.strip()).quantize(CENTS)


def amount_text(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENTS))


def withheld(invoice_amount: Decimal, amount_paid: Decimal) -> Decimal:
    """What the operator did not pay of the invoice (the glosa). Paying more than the invoice
    is a typing mistake, refused."""
    if amount_paid > invoice_amount:
        raise InvalidInput("The amount paid exceeds the invoice amount.",
                           {"amount_paid": ["Must not exceed invoice.amount."]})
    return invoice_amount - amount_paid
