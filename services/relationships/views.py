"""Plain-dict answers of the RPC methods (docs/rpc.md)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ponte.clock import iso
from services.relationships.domain.invitations import Invitation
from services.relationships.domain.relationships import Relationship
from services.relationships.repository import Repository


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def provider_ref(provider: dict | None, provider_id: str) -> dict[str, Any]:
    return {"id": provider_id, "legal_name": provider["legal_name"] if provider else None}


def provider_details(provider: dict | None, provider_id: str) -> dict[str, Any]:
    """Whom a secretary acts for, as her list of providers shows it: name, type, CNPJ/CPF and
    e-mail (000 §4.2)."""
    details = provider or {}
    return {**provider_ref(provider, provider_id),
            "provider_type": details.get("provider_type"), "document": details.get("document"),
            "email": details.get("email")}


def secretary_ref(secretary: dict | None, secretary_id: str) -> dict[str, Any]:
    return {"id": secretary_id, "name": secretary["name"] if secretary else None,
            "email": secretary["email"] if secretary else None}


def invitation_view(invitation: Invitation, provider: dict | None,
                    secretary: dict | None) -> dict[str, Any]:
    return {"id": invitation.id, "provider_id": invitation.provider_id,
            "secretary_id": invitation.secretary_id, "roles": list(invitation.roles),
            "status": invitation.status,
            "until": invitation.until.isoformat() if invitation.until else None,
            "created_at": iso(invitation.created_at), "decided_at": iso(invitation.decided_at),
            "provider": provider_ref(provider, invitation.provider_id),
            "secretary": secretary_ref(secretary, invitation.secretary_id)}


def relationship_view(relationship: Relationship, provider: dict | None, secretary: dict | None,
                      now: datetime) -> dict[str, Any]:
    """Both lists' shapes in one (API.md): the provider's shows ``secretary``, the secretary's
    ``provider``. ``until`` is the last day chosen on acceptance; ``ends_at`` the instant it ends
    (the next local midnight) or ended."""
    return {"id": relationship.id, "type": "secretary",
            "provider_id": relationship.provider_id, "secretary_id": relationship.secretary_id,
            "provider": provider_details(provider, relationship.provider_id),
            "secretary": secretary_ref(secretary, relationship.secretary_id),
            "roles": list(relationship.roles), "status": relationship.status_at(now),
            "started_at": iso(relationship.started_at), "until": day(relationship.until),
            "ends_at": iso(relationship.ends_at), "invitation_id": relationship.invitation_id}


def accreditation_view(row: dict) -> dict[str, Any]:
    return {"operator": row["operator"], "ans_code": row["ans_code"], "status": row["status"],
            "since": day(row["since"])}


def invitation_page(repo: Repository, items: list[Invitation], next_cursor: str | None) -> dict:
    providers = repo.providers(i.provider_id for i in items)
    secretaries = repo.secretaries(i.secretary_id for i in items)
    return {"items": [invitation_view(i, providers.get(i.provider_id),
                                      secretaries.get(i.secretary_id)) for i in items],
            "next_cursor": next_cursor}


def relationship_page(repo: Repository, items: list[Relationship], next_cursor: str | None,
                      now: datetime) -> dict:
    providers = repo.providers(r.provider_id for r in items)
    secretaries = repo.secretaries(r.secretary_id for r in items)
    return {"items": [relationship_view(r, providers.get(r.provider_id),
                                        secretaries.get(r.secretary_id), now) for r in items],
            "next_cursor": next_cursor}


def relationship_of(repo: Repository, relationship: Relationship, now: datetime) -> dict:
    return relationship_view(relationship, repo.provider(relationship.provider_id),
                             repo.secretary(relationship.secretary_id), now)
