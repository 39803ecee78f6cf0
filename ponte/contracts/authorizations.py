"""The words of API.md "Authorizations" that the gateway and the authorizations service share:
statuses, outcomes, reasons, interaction kinds and sides, inquiry subjects, teeth, faces and
regions, and the shape of money and procedure codes."""
from __future__ import annotations

import re

DRAFT, AWAITING_AUDIT = "draft", "awaiting_audit"
AUTHORIZED, PARTIALLY_AUTHORIZED, DENIED, CANCELLED = (
    "authorized", "partially_authorized", "denied", "cancelled")
STATUSES: tuple[str, ...] = (DRAFT, AWAITING_AUDIT, AUTHORIZED, PARTIALLY_AUTHORIZED, DENIED,
                             CANCELLED)
OUTCOMES: tuple[str, ...] = (AUTHORIZED, PARTIALLY_AUTHORIZED, DENIED)
UNDECIDED: tuple[str, ...] = (DRAFT, AWAITING_AUDIT)

PENDING = "pending"
ITEM_STATUSES: tuple[str, ...] = (PENDING, AUTHORIZED, DENIED)

# What the audit checks (001: "verificar o histórico, a situação cadastral, a cobertura do
# Beneficiário, a existência de eventos em carência e/ou garantia na data da solicitação e a
# pertinência técnica dos procedimentos solicitados"), as coded reasons for a denied item.
DENIAL_REASONS: tuple[str, ...] = ("registration", "coverage", "waiting_period", "warranty",
                                   "technical", "documentation")

SUBMISSION, MESSAGE, DOCUMENT, DECISION, APPEAL, CANCELLATION = (
    "submission", "message", "document", "decision", "appeal", "cancellation")
INTERACTION_KINDS: tuple[str, ...] = (SUBMISSION, MESSAGE, DOCUMENT, DECISION, APPEAL,
                                      CANCELLATION)
POSTED_KINDS: tuple[str, ...] = (MESSAGE, DOCUMENT)
"""What either side may post on a request's timeline; the others follow from actions."""

PROVIDER_SIDE, OPERATOR_SIDE = "provider", "operator"
SIDES: tuple[str, ...] = (PROVIDER_SIDE, OPERATOR_SIDE)

INQUIRY_SUBJECTS: tuple[str, ...] = ("appointments_information", "authorizations_payments")
OPEN, ANSWERED = "open", "answered"
INQUIRY_STATUSES: tuple[str, ...] = (OPEN, ANSWERED)

CODE_ACTIVE, CODE_CANCELLED = "active", CANCELLED
EXPIRED, WRONG_BENEFICIARY, WRONG_PROFESSIONAL, PROCEDURE_NOT_AUTHORIZED = (
    "expired", "beneficiary_mismatch", "professional_mismatch", "procedure_not_authorized")
CODE_REASONS: tuple[str, ...] = (CODE_CANCELLED, EXPIRED, WRONG_BENEFICIARY, WRONG_PROFESSIONAL,
                                 PROCEDURE_NOT_AUTHORIZED)
"""Why a code check answers ``valid: false``, the first failing check."""

PERMANENT_TEETH = tuple(q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9))
DECIDUOUS_TEETH = tuple(q * 10 + p for q in (5, 6, 7, 8) for p in range(1, 6))
TEETH: tuple[int, ...] = PERMANENT_TEETH + DECIDUOUS_TEETH
"""FDI notation: quadrant, then position from the midline."""
FACES: tuple[str, ...] = ("O", "M", "D", "V", "L", "P", "I")
REGIONS: tuple[str, ...] = ("AS", "AI", "HASD", "HASE", "HAID", "HAIE",
                            "S1", "S2", "S3", "S4", "S5", "S6", "ARC")

PROCEDURE_CODE = re.compile(r"[0-9]{8}")
"""A procedure code: 8 digits (TUSS)."""
MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
"""Money travels as a decimal string of ASCII digits, at most two decimals ("123.45")."""

FIRST_YEAR, LAST_YEAR = 2000, 2100
"""Dates of care or payment outside these years are typing mistakes."""
