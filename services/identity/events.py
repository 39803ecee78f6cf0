"""Every event identity publishes (docs/events.md "identity"), built in one place. Use cases
record them with ``uow.publish``; they reach the outbox in the same transaction as the change."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.clock import iso
from ponte.roles import SECRETARY
from ponte.service_layer import Event

if TYPE_CHECKING:
    from services.identity.models import Account, Link, Provider


def sessions_revoked(account_id: str, session_ids: list[str]) -> Event:
    """Every gateway drops these sessions' access tokens at once."""
    return Event("sessions_revoked", {"account_id": account_id, "session_ids": session_ids})


def registered(account: Account) -> Event:
    """``secretary_registered`` or ``citizen_registered``; a secretary's carries her CPF."""
    data = {"account_id": account.id, "email": account.email, "name": account.name,
            "locale": account.locale}
    if account.kind == SECRETARY:
        data["cpf"] = account.cpf
    return Event(f"{account.kind}_registered", data)


def staff_created(account: Account, token: str, link: Link) -> Event:
    return Event("staff_created", {
        "account_id": account.id, "email": account.email, "name": account.name,
        "roles": list(account.roles), "token": token, "expires_at": iso(link.expires_at),
        "locale": account.locale})


def provider_preregistered(provider: Provider, operator_id: str,
                           logins: list[Account]) -> Event:
    return Event("provider_preregistered", {
        "provider_id": provider.id, "document": provider.document,
        "legal_name": provider.legal_name, "person_type": provider.person_type,
        "email": provider.email, "operator_account_id": operator_id,
        "sites": [{"id": a.site_id, "name": a.name, "email": a.email, "account_id": a.id}
                  for a in logins]})


def provider_invited(account: Account, token: str, link: Link) -> Event:
    site, provider = account.site, account.provider
    return Event("provider_invited", {
        "provider_id": provider.id, "site_id": site.id, "account_id": account.id,
        "email": site.email, "name": provider.legal_name, "site_name": site.name,
        "token": token, "expires_at": iso(link.expires_at), "locale": account.locale})


def provider_registered(account: Account, email: str) -> Event:
    provider = account.provider
    return Event("provider_registered", {
        "provider_id": provider.id, "site_id": account.site_id, "account_id": account.id,
        "email": email, "name": provider.legal_name, "provider_type": provider.provider_type,
        "locale": account.locale})


def account_updated(account: Account) -> Event:
    return Event("account_updated", {"account_id": account.id, "kind": account.kind,
                                     "name": account.name, "email": account.email})


def email_changed(account: Account, old_email: str) -> Event:
    return Event("email_changed", {"account_id": account.id, "old_email": old_email,
                                   "new_email": account.email, "name": account.name,
                                   "locale": account.locale})


def password_changed(account: Account) -> Event:
    return Event("password_changed", {"account_id": account.id, "email": account.email,
                                      "name": account.name, "locale": account.locale})


def account_deleted(account: Account) -> Event:
    return Event("account_deleted", {"account_id": account.id, "kind": account.kind,
                                     "email": account.email, "name": account.name,
                                     "provider_id": account.provider_id,
                                     "locale": account.locale})


def password_reset_asked(email: str) -> Event:
    """Recorded whatever the address; identity's own handler looks it up after the answer."""
    return Event("password_reset_asked", {"email": email})


def password_reset_requested(account: Account, token: str, link: Link) -> Event:
    return Event("password_reset_requested", {
        "account_id": account.id, "email": account.email, "name": account.name,
        "token": token, "expires_at": iso(link.expires_at), "locale": account.locale})
