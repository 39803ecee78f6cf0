"""Messages from the provider side to the operator (003 "Comunicazioni con Pronto-Care"): about
one treatment plan or general, with one of two subjects, answered as a thread."""
from __future__ import annotations

SUBJECTS = ("appointments_information", "authorizations_payments")
OPEN, ANSWERED = "open", "answered"
STATUSES = (OPEN, ANSWERED)


def status_after_message(side: str) -> str:
    """Waiting for the operator after the provider writes; answered after the operator does."""
    return ANSWERED if side == "operator" else OPEN
