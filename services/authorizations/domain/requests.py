"""An authorization request (guia / plano de cura) from draft to decision (001, 003).

    draft ──submit──▶ authorized                (no item needs review: decided at once)
      │         └───▶ awaiting_audit ──decide──▶ authorized | partially_authorized | denied
      │                     │   ▲                                                   │
      └──cancel──▶ cancelled ◀┘   └──────────────────────appeal─────────────────────┘

The requester may cancel while the request is undecided (draft or awaiting audit). Every
transition from another state is a conflict (409).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ponte.contracts.authorizations import (
    AUTHORIZED,
    AWAITING_AUDIT,
    CANCELLED,
    DENIAL_REASONS,
    DENIED,
    DRAFT,
    OUTCOMES,
    PARTIALLY_AUTHORIZED,
    PENDING,
    UNDECIDED,
)
from ponte.errors import Conflict, InvalidInput, NotFound
from services.authorizations.domain.catalogue import Procedure

NUMBER_DIGITS, SEQUENCE_DIGITS = 8, 6


def request_number(sequence: int) -> str:
    """The request (guia) number: 8 digits, zero-padded (001 shows "00220071")."""
    if not 1 <= sequence < 10 ** NUMBER_DIGITS:
        raise ValueError(f"request number {sequence} does not fit in {NUMBER_DIGITS} digits")
    return f"{sequence:0{NUMBER_DIGITS}d}"


def protocol_number(ans_code: str, day: date, sequence: int) -> str:
    """The 20-digit protocol: the operator's 6-digit ANS registration, the local date YYYYMMDD
    and the 6-digit sequence of that day (001 shows "32447720210604050216")."""
    if len(ans_code) != 6 or not ans_code.isdigit():
        raise ValueError(f"the ANS code must be 6 digits, not {ans_code!r}")
    if not 1 <= sequence < 10 ** SEQUENCE_DIGITS:
        raise ValueError(f"protocol sequence {sequence} does not fit in {SEQUENCE_DIGITS} digits")
    return f"{ans_code}{day:%Y%m%d}{sequence:0{SEQUENCE_DIGITS}d}"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Item:
    procedure_code: str
    quantity: int
    tooth: int | None = None
    region: str | None = None
    faces: tuple[str, ...] = ()
    status: str = PENDING
    denial_reason: str | None = None
    id: str = field(default_factory=new_id)

    @classmethod
    def from_input(cls, data: Mapping[str, Any]) -> Item:
        faces = tuple(dict.fromkeys(data.get("faces") or ()))
        return cls(procedure_code=data["procedure_code"], quantity=int(data["quantity"]),
                   tooth=data.get("tooth"), region=data.get("region"), faces=faces)


def require_complete_profile(missing: Iterable[str]) -> None:
    """A provider operates once its profile is complete (000 §3.2): submitting with fields
    still missing is a conflict naming them."""
    missing = list(missing)
    if missing:
        raise Conflict("Complete the provider's profile before submitting: "
                       + ", ".join(missing) + ".", {"profile": missing})


def item_errors(items: Iterable[Mapping[str, Any]], catalogue: Mapping[str, Procedure],
                prefix: str = "items") -> dict[str, list[str]]:
    """Each item against its procedure: known code, and tooth/faces/region as it requires (an
    item without a code, one the gateway's schema refused, is left to that error)."""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        if "procedure_code" not in item:
            continue
        path = f"{prefix}.{index}" if prefix else ""
        procedure = catalogue.get(item["procedure_code"])
        if procedure is None:
            errors[f"{path}.procedure_code".lstrip(".")] = [
                f"Unknown procedure {item['procedure_code']}; see GET /api/v1/procedures."]
            continue
        found = procedure.item_errors(item, path)
        errors.update({key.lstrip("."): value for key, value in found.items()})
    return errors


@dataclass
class AuthorizationRequest:
    provider_id: str
    demand_group: str
    demand_type: str
    contact: dict[str, Any]
    professional_document: str
    beneficiary: dict[str, Any]
    created_by: str
    created_at: datetime
    observations: str | None = None
    status: str = DRAFT
    items: list[Item] = field(default_factory=list)
    number: str | None = None
    protocol: str | None = None
    submitted_at: datetime | None = None
    due_at: datetime | None = None
    decided_at: datetime | None = None
    justification: str | None = None
    cancel_reason: str | None = None
    overdue_notified: bool = False
    appeals: int = 0
    appointment_id: str | None = None
    """The appointment (attendance service) this care plan was started from."""
    id: str = field(default_factory=new_id)

    # -- drafts ---------------------------------------------------------------------------

    def add_item(self, item: Item) -> Item:
        """Items are added and removed only while drafting the plan (003)."""
        self._require(DRAFT, "add items to it")
        self.items.append(item)
        return item

    def remove_item(self, item_id: str) -> Item:
        self._require(DRAFT, "remove items from it")
        item = self.item(item_id)
        self.items.remove(item)
        return item

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise NotFound("No such item in this request.")

    # -- submission -----------------------------------------------------------------------

    def check_submittable(self) -> None:
        self._require(DRAFT, "submit it")
        if not self.items:
            raise InvalidInput("Add at least one item before submitting.",
                               {"items": ["A request needs at least one item."]})

    def needs_review(self, catalogue: Mapping[str, Procedure]) -> bool:
        """A request is authorized at submission only when none of its items needs a technical
        review; otherwise the whole request waits for audit (001)."""
        return any(catalogue[item.procedure_code].requires_review for item in self.items)

    def submit(self, now: datetime, review: bool, due_at: datetime | None) -> None:
        """With review the answer is due in one business day (``due_at``); without, every item
        is authorized now. The number and protocol follow in the same transaction
        (:meth:`assign_numbers`)."""
        self.check_submittable()
        self.submitted_at = now
        if review:
            self.status, self.due_at = AWAITING_AUDIT, due_at
        else:
            self._settle(AUTHORIZED, {item.id: True for item in self.items}, now)

    def assign_numbers(self, number: str, protocol: str) -> None:
        """Number and protocol are given on submission (001: "será gerado automaticamente o
        número da demanda e o número de protocolo"), once. They are the submission's last step:
        their sequences stay locked until it commits (``ponte.numbering``)."""
        if self.status == DRAFT:
            raise Conflict("A draft has no number yet; submit it first.")
        if self.number is not None:
            raise Conflict(f"This request is already numbered {self.number}.")
        self.number, self.protocol = number, protocol

    # -- audit ----------------------------------------------------------------------------

    def decide(self, outcome: str, decisions: Mapping[str, bool] | None,
               justification: str | None, now: datetime,
               reasons: Mapping[str, str | None] | None = None,
               reason: str | None = None) -> None:
        """The auditor authorizes, partially authorizes (per item) or denies, with a
        justification for anything not authorized (001), and optionally a coded reason for the
        denied items: ``reason`` for all of them, ``reasons`` (item id → reason) per item."""
        self._require(AWAITING_AUDIT, "decide on it")
        if outcome not in OUTCOMES:
            raise InvalidInput("Unknown outcome.", {"outcome": [f"One of {', '.join(OUTCOMES)}."]})
        if outcome != AUTHORIZED and not (justification or "").strip():
            raise InvalidInput("A justification is required unless everything is authorized.",
                               {"justification": ["Required unless the outcome is authorized."]})
        per_item = self._item_decisions(outcome, decisions or {})
        reasons = {k: v for k, v in (reasons or {}).items() if v is not None}
        wrong = [k for k, v in reasons.items() if v not in DENIAL_REASONS or per_item.get(k)]
        if wrong or reason not in (None, *DENIAL_REASONS):
            raise InvalidInput("A denial reason belongs to a denied item and is one of "
                               + ", ".join(DENIAL_REASONS) + ".",
                               {"items" if wrong else "denial_reason": [
                                   f"No denial reason for item {k}." for k in wrong]
                                   or ["Unknown reason."]})
        self.justification = justification
        self._settle(outcome, per_item, now)
        for item in self.items:
            item.denial_reason = (reasons.get(item.id) or reason) if item.status == DENIED \
                else None

    def _item_decisions(self, outcome: str, given: Mapping[str, bool]) -> dict[str, bool]:
        known = {item.id for item in self.items}
        unknown = [item_id for item_id in given if item_id not in known]
        if unknown:
            raise InvalidInput("Some items are not part of this request.",
                               {"items": [f"Unknown item {item_id}." for item_id in unknown]})
        if outcome == PARTIALLY_AUTHORIZED:
            # items the auditor did not list are not authorized
            decided = {item.id: bool(given.get(item.id, False)) for item in self.items}
            if all(decided.values()) or not any(decided.values()):
                raise InvalidInput(
                    "A partial authorization authorizes some items and denies others.",
                    {"items": ["Mark at least one item authorized and one not authorized."]})
            return decided
        everything = outcome == AUTHORIZED
        if any(value != everything for value in given.values()):
            raise InvalidInput(f"The items contradict the outcome {outcome}.",
                               {"items": [f"With outcome {outcome} every item is "
                                          f"{'authorized' if everything else 'denied'}."]})
        return {item.id: everything for item in self.items}

    def _settle(self, outcome: str, per_item: Mapping[str, bool], now: datetime) -> None:
        for item in self.items:
            item.status = AUTHORIZED if per_item[item.id] else DENIED
        self.status, self.decided_at, self.due_at = outcome, now, None

    def check_appealable(self) -> None:
        self._require(DENIED, "appeal")

    def appeal(self, justification: str, now: datetime, due_at: datetime) -> None:
        """A denied plan can be reviewed again with a justification; it goes through the
        normal audit once more (001)."""
        self.check_appealable()
        if not (justification or "").strip():
            raise InvalidInput("Say why it should be reviewed.",
                               {"justification": ["Must not be blank."]})
        for item in self.items:
            item.status, item.denial_reason = PENDING, None
        self.status, self.due_at, self.decided_at = AWAITING_AUDIT, due_at, None
        self.overdue_notified, self.appeals = False, self.appeals + 1

    def cancel(self, reason: str, now: datetime) -> None:
        """The requester cancels while the request is undecided."""
        if self.status not in UNDECIDED:
            raise Conflict(f"A request that is {self.status} can no longer be cancelled.")
        if not (reason or "").strip():
            raise InvalidInput("Say why it is cancelled.", {"reason": ["Must not be blank."]})
        self.status, self.cancel_reason, self.due_at = CANCELLED, reason, None

    # -- reading --------------------------------------------------------------------------

    def is_overdue(self, now: datetime) -> bool:
        return self.status == AWAITING_AUDIT and self.due_at is not None and self.due_at <= now

    @property
    def authorized_items(self) -> list[Item]:
        return [item for item in self.items if item.status == AUTHORIZED]

    def _require(self, status: str, action: str) -> None:
        if self.status != status:
            raise Conflict(f"Only a request that is {status} can {action}; this one is "
                           f"{self.status}.")
