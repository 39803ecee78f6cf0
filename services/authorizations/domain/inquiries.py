"""Messages from the provider side to the operator (003 "Comunicazioni con Pronto-Care"): about
one treatment plan, payment or appointment, or general, with one of two subjects, answered as a
thread."""
from __future__ import annotations

from ponte.contracts.authorizations import ANSWERED, OPEN, OPERATOR_SIDE


def status_after_message(side: str) -> str:
    """Waiting for the operator after the provider writes; answered after the operator does."""
    return ANSWERED if side == OPERATOR_SIDE else OPEN
