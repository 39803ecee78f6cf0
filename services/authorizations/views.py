"""Domain objects and rows → the plain dicts the RPC answers (API.md "Authorizations")."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ponte.clock import iso
from ponte.contracts.authorizations import AWAITING_AUDIT
from services.authorizations.domain.catalogue import Procedure
from services.authorizations.domain.codes import AuthorizationCode
from services.authorizations.domain.money import amount_text
from services.authorizations.domain.requests import AuthorizationRequest, Item

API = "/api/v1"


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def link(request_id: str) -> str:
    return f"{API}/authorization-requests/{request_id}"


def procedure_view(procedure: Procedure) -> dict[str, Any]:
    return {"code": procedure.code, "name": procedure.name,
            "requires_review": procedure.requires_review,
            "requires_tooth": procedure.requires_tooth,
            "requires_region": procedure.requires_region,
            "requires_faces": procedure.requires_faces}


def item_view(item: Item) -> dict[str, Any]:
    return {"id": item.id, "procedure_code": item.procedure_code, "quantity": item.quantity,
            "tooth": item.tooth, "region": item.region, "faces": list(item.faces),
            "status": item.status, "denial_reason": item.denial_reason}


def attachment_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "filename": row["filename"], "content_type": row["content_type"],
            "size": row["size"]}


def code_view(code: AuthorizationCode | None) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"code": code.code, "valid_until": day(code.valid_until),
            "procedure_codes": list(code.procedure_codes)}


def request_view(request: AuthorizationRequest, attachments: list[Mapping[str, Any]],
                 code: AuthorizationCode | None, now: datetime) -> dict[str, Any]:
    return {
        "id": request.id, "provider_id": request.provider_id, "number": request.number,
        "protocol": request.protocol, "status": request.status,
        "demand_group": request.demand_group, "demand_type": request.demand_type,
        "contact": request.contact, "professional_document": request.professional_document,
        "beneficiary": request.beneficiary, "observations": request.observations,
        "items": [item_view(item) for item in request.items],
        "attachments": [attachment_view(a) for a in attachments],
        "submitted_at": iso(request.submitted_at), "due_at": iso(request.due_at),
        "decided_at": iso(request.decided_at), "authorization": code_view(code),
        "justification": request.justification, "cancel_reason": request.cancel_reason,
        "overdue": request.is_overdue(now), "appeals": request.appeals,
        "appointment_id": request.appointment_id, "created_at": iso(request.created_at)}


def request_summary(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    due_at = row["due_at"]
    return {"id": row["id"], "provider_id": row["provider_id"], "number": row["number"],
            "protocol": row["protocol"], "submitted_at": iso(row["submitted_at"]),
            "demand_group": row["demand_group"], "demand_type": row["demand_type"],
            "beneficiary": row["beneficiary"], "status": row["status"],
            "due_at": iso(due_at),
            "overdue": row["status"] == AWAITING_AUDIT and due_at is not None and due_at <= now,
            "created_at": iso(row["created_at"])}


def author(account_id: str, side: str, names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"id": account_id, "name": names.get(account_id), "side": side}


def interaction_view(row: Mapping[str, Any], files: list[Mapping[str, Any]],
                     names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"],
            "author": author(row["author_id"], row["author_side"], names),
            "message": row["message"], "attachments": [attachment_view(f) for f in files],
            "created_at": iso(row["created_at"])}


def money(value: Decimal | None) -> str | None:
    return None if value is None else amount_text(value)


def payment_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "provider_id": row["provider_id"], "request_id": row["request_id"],
            "beneficiary": row["beneficiary"],
            "invoice": {"number": row["invoice_number"],
                        "issued_on": day(row["invoice_issued_on"]),
                        "amount": money(row["invoice_amount"])},
            "amount_paid": money(row["amount_paid"]), "withheld": money(row["withheld"]),
            "paid_on": day(row["paid_on"]), "created_at": iso(row["created_at"])}


def message_view(row: Mapping[str, Any], names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"id": row["id"], "author": author(row["author_id"], row["author_side"], names),
            "message": row["message"], "created_at": iso(row["created_at"])}


def inquiry_view(row: Mapping[str, Any], messages: list[Mapping[str, Any]],
                 names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"id": row["id"], "provider_id": row["provider_id"], "subject": row["subject"],
            "status": row["status"], "request_id": row["request_id"],
            "payment_id": row["payment_id"], "appointment_id": row["appointment_id"],
            "messages": [message_view(m, names) for m in messages],
            "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"])}
