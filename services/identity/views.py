"""What identity answers: plain dicts in the shapes of API.md, never ORM objects."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ponte.clock import iso
from ponte.config import settings
from ponte.contracts.identity import DELETED
from ponte.roles import PROVIDER_ROLES, STAFF
from services.identity.domain.profile import missing_profile
from services.identity.models import Account, Provider, ProviderImage, Site


def account_summary(account: Account) -> dict[str, Any]:
    return {"id": account.id, "kind": account.kind, "name": account.name, "email": account.email}


def account_record(account: Account) -> dict[str, Any]:
    """``get_accounts``: staff accounts also carry their roles (attendance designates managers)."""
    record = {**account_summary(account), "status": account.status}
    if account.kind == STAFF:
        record["roles"] = list(account.roles or [])
    return record


def staff(account: Account) -> dict[str, Any]:
    return {**account_record(account), "roles": list(account.roles),
            "created_at": iso(account.created_at)}


def me(account: Account | Row, provider: Provider | Row | None) -> dict[str, Any]:
    """GET /me, from ORM objects or plain rows. ``acting_for`` lists the provider itself with
    every role for a provider login; a secretary's comes from relationships (the gateway adds
    it)."""
    answer = {
        **account_summary(account), "secondary_email": account.secondary_email,
        "cpf": account.cpf, "sex": account.sex,
        "roles": list(account.roles) if account.kind == STAFF else [],
        "locale": account.locale, "provider": None, "acting_for": [], "missing_profile": [],
        "created_at": iso(account.created_at),
    }
    if provider is not None:
        if provider.person_type == "individual":
            answer["cpf"] = provider.document
        answer["provider"] = {"id": provider.id, "document": provider.document,
                              "legal_name": provider.legal_name, "person_type":
                              provider.person_type, "provider_type": provider.provider_type,
                              "site_id": account.site_id}
        answer["acting_for"] = [{"provider_id": provider.id, "legal_name": provider.legal_name,
                                 "roles": list(PROVIDER_ROLES)}]
        answer["missing_profile"] = missing_profile(provider.address, provider.phones)
    return answer


def site(record: Site) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "email": record.email,
            "status": record.status}


def preregistered(provider: Provider) -> dict[str, Any]:
    return {"id": provider.id, "document": provider.document, "legal_name": provider.legal_name,
            "person_type": provider.person_type, "email": provider.email,
            "secondary_email": provider.secondary_email, "status": provider.status,
            "sites": [site(s) for s in provider.sites],
            "created_at": iso(provider.created_at)}


def image_url(provider_id: str, image_id: str) -> str:
    return f"{settings().public_url}/api/v1/providers/{provider_id}/images/{image_id}"


def image(record: ProviderImage) -> dict[str, Any]:
    return {"id": record.id, "url": image_url(record.provider_id, record.id)}


def provider(record: Provider) -> dict[str, Any]:
    """The provider with its status, for other services and its own side; a deleted provider
    keeps its basic public data (003)."""
    return {**public_provider(record, with_status=False), "status": record.status}


def public_provider(record: Provider, with_status: bool) -> dict[str, Any]:
    """``GET /providers/{id}``: ``status`` only for those who may see it."""
    answer = {
        "id": record.id, "legal_name": record.legal_name, "person_type": record.person_type,
        "provider_type": record.provider_type,
        "sites": [{"id": s.id, "name": s.name} for s in record.sites if s.status != DELETED],
        "profile": {"address": record.address, "phones": list(record.phones or []),
                    "opening_hours": record.opening_hours, "description": record.description,
                    "images": [image(i) for i in record.images]},
    }
    if with_status:
        answer["status"] = record.status
    return answer


def registration(provider_record: Provider, site_record: Site) -> dict[str, Any]:
    return {"document": provider_record.document, "legal_name": provider_record.legal_name,
            "email": site_record.email, "site_name": site_record.name,
            "person_type": provider_record.person_type,
            "email_shared": site_record.email_shared,
            "provider_type": provider_record.provider_type}
