"""The authorization code (senha) released for an authorized request (001).

"A senha liberada é única e intransferível e está vinculada ao número da guia, aos procedimentos
solicitados, ao beneficiário e ao profissional solicitante, tendo um prazo de validade de 90 dias
a partir da data da liberação." The day of release counts as the first of the 90, so
``valid_until`` (the last valid day, in the operator's time zone) is release day + 89.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ponte.contracts.authorizations import CODE_ACTIVE as ACTIVE
from ponte.contracts.authorizations import CODE_CANCELLED as CANCELLED
from ponte.contracts.authorizations import (
    EXPIRED,
    PROCEDURE_NOT_AUTHORIZED,
    WRONG_BENEFICIARY,
    WRONG_PROFESSIONAL,
)

VALIDITY_DAYS = 90
# no 0/O, 1/I/L: a code is read aloud and typed by people
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_SIZE = 4, 4  # 16 symbols of 31: about 79 bits, unguessable
_NOISE = re.compile(r"[\s\-./]")


def new_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(symbols[i:i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def normalise_code(text: str) -> str:
    """As typed (any case, with or without dashes) → the stored form ``ABCD-EFGH-JKMN-PQRS``."""
    bare = _NOISE.sub("", text or "").upper()
    if len(bare) != GROUPS * GROUP_SIZE:
        return bare
    return "-".join(bare[i:i + GROUP_SIZE] for i in range(0, len(bare), GROUP_SIZE))


def valid_until(released_on: date) -> date:
    """The last valid day: 90 days counting the day of release."""
    return released_on + timedelta(days=VALIDITY_DAYS - 1)


def normalise_identifier(text: str | None) -> str:
    """CPF, card number or CNPJ as typed → bare characters, for comparison."""
    return _NOISE.sub("", text or "").upper()


@dataclass
class AuthorizationCode:
    request_id: str
    request_number: str
    procedure_codes: tuple[str, ...]
    beneficiary: dict[str, Any]
    professional_document: str
    released_on: date
    status: str = ACTIVE
    code: str = field(default_factory=new_code)

    @property
    def valid_until(self) -> date:
        return valid_until(self.released_on)

    def check(self, today: date, beneficiary: str | None = None,
              professional_document: str | None = None,
              procedure_code: str | None = None) -> tuple[bool, str | None]:
        """Valid, or not with the first reason found. Each argument given is checked; the
        beneficiary may be named by CPF or card number."""
        if self.status == CANCELLED:
            return False, CANCELLED
        if today > self.valid_until:
            return False, EXPIRED
        if beneficiary is not None:
            ids = {normalise_identifier(self.beneficiary.get(k)) for k in ("cpf", "card_number")}
            if normalise_identifier(beneficiary) not in ids - {""}:
                return False, WRONG_BENEFICIARY
        if professional_document is not None and \
                normalise_identifier(professional_document) != self.professional_document:
            return False, WRONG_PROFESSIONAL
        if procedure_code is not None and procedure_code.strip() not in self.procedure_codes:
            return False, PROCEDURE_NOT_AUTHORIZED
        return True, None
