"""The read models that resolve audiences, kept from identity's and relationships' events in the
unit of work that handles the event (``notices.take``)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ponte.roles import PROVIDER, SECRETARY, STAFF
from services.notifications.domain.incoming import Incoming
from services.notifications.repository import Directory

ReadModel = Callable[[Directory, Incoming, datetime], None]


def apply_identity(directory: Directory, event: Incoming, now: datetime) -> None:
    """Accounts, providers and staff roles as identity's events describe them."""
    data, kind = event.data, event.type
    account_id = data.get("account_id")
    if kind == "provider_preregistered":
        directory.save_provider(data["provider_id"], now, legal_name=data.get("legal_name"))
        for site in data.get("sites") or []:
            if site.get("account_id"):
                directory.save_account(site["account_id"], now, status_if_new="invited",
                                       kind=PROVIDER, email=site.get("email"),
                                       name=data.get("legal_name"),
                                       provider_id=data["provider_id"])
    elif kind == "provider_invited":
        # events of one login arrive on separate queues: an invitation never undoes a
        # registration, so the status is set only on a login not seen before
        directory.save_account(account_id, now, status_if_new="invited", kind=PROVIDER,
                               email=data.get("email"), name=data.get("name"),
                               locale=data.get("locale"), provider_id=data.get("provider_id"))
    elif kind == "provider_registered":
        directory.save_provider(data["provider_id"], now, legal_name=data.get("name"),
                                provider_type=data.get("provider_type"))
        directory.save_account(account_id, now, kind=PROVIDER, email=data.get("email"),
                               name=data.get("name"), locale=data.get("locale"),
                               provider_id=data["provider_id"], status="active")
    elif kind in ("secretary_registered", "citizen_registered"):
        directory.save_account(account_id, now, kind=kind.partition("_")[0],
                               email=data.get("email"), name=data.get("name"),
                               locale=data.get("locale"))
    elif kind == "staff_created":
        directory.save_account(account_id, now, kind=STAFF, email=data.get("email"),
                               name=data.get("name"), locale=data.get("locale"),
                               roles=list(data.get("roles") or []))
    elif kind == "email_changed":
        directory.save_account(account_id, now, email=data.get("new_email"))
    elif kind == "account_updated":
        directory.save_account(account_id, now, kind=data.get("kind"), name=data.get("name"),
                               email=data.get("email"))
    elif kind == "account_deleted":
        directory.save_account(account_id, now, kind=data.get("kind"), status="deleted")


def apply_relationship(directory: Directory, event: Incoming, now: datetime) -> None:
    """Provider logins and the secretaries' active grants, as relationships' events tell them."""
    data = event.data
    provider_id = data.get("provider_id")
    if provider_id:
        directory.save_provider(provider_id, now, legal_name=data.get("provider_legal_name"))
        for account_id in data.get("provider_account_ids") or []:
            directory.save_account(account_id, now, kind=PROVIDER, provider_id=provider_id)
    if data.get("secretary_id"):
        directory.save_account(data["secretary_id"], now, kind=SECRETARY,
                               name=data.get("secretary_name"),
                               email=data.get("secretary_email"),
                               locale=data.get("secretary_locale"))
    if data.get("relationship_id"):
        active = data.get("status") == "active" and event.type in (
            "invitation_accepted", "relationship_roles_changed")
        directory.save_grant(data["relationship_id"], provider_id, data["secretary_id"],
                             list(data.get("roles") or []), active, event.occurred_at)
