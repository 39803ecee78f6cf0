"""Payments (liquidations) and money (003 "Liquidazioni"): exact decimals, never floats.

Amounts travel as decimal strings ("123.45", their shape checked at the edge), are kept as
``Decimal`` and stored in ``Numeric`` columns."""
from __future__ import annotations

from decimal import Decimal

from ponte.errors import InvalidInput

CENTS = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """"1234.5" → Decimal("1234.50")."""
    return Decimal(text).quantize(CENTS)


def amount_text(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENTS))


def withheld(invoice_amount: Decimal, amount_paid: Decimal) -> Decimal:
    """What the operator did not pay of the invoice (the glosa). Paying more than the invoice
    is a typing mistake, refused."""
    if amount_paid > invoice_amount:
        raise InvalidInput("The amount paid exceeds the invoice amount.",
                           {"amount_paid": ["Must not exceed invoice.amount."]})
    return invoice_amount - amount_paid
