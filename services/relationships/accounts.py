"""What the relationships service knows of identity's accounts: providers (with their logins and
their accreditation to the operator) and secretaries, kept from identity's events, with an RPC
fallback for a secretary or provider whose event has not arrived yet. A deleted account's
relationships end and its pending invitations are cancelled."""
from __future__ import annotations

import os
from datetime import datetime
from typing import Callable

from ponte.config import settings
from ponte.db import Database, new_id
from ponte.errors import InvalidInput, NotFound
from ponte.messaging import Event, handles
from ponte.rpc import RemoteCall
from ponte.service import BaseService
from services.relationships.domain import local_today
from services.relationships.events import withdraw
from services.relationships.repository import Repository


def operator_name() -> str:
    return os.environ.get("PONTE_OPERATOR_NAME") or "Operadora"


def occurred_at(event: Event) -> datetime:
    return datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00"))


class AccountsReadModel(BaseService):
    db: Database
    services: RemoteCall
    clock: Callable[[], datetime]

    @handles("identity", "provider_preregistered")
    def handle_provider_preregistered(self, event: Event) -> None:
        """The operator pre-registered the provider: it is accredited from that day (000 §3.2)."""
        data = event.data
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            repo.save_provider(data["provider_id"], data["legal_name"], self.clock(),
                               document=data.get("document"), person_type=data.get("person_type"))
            for site in data.get("sites") or []:
                if site.get("account_id"):
                    repo.add_login(site["account_id"], data["provider_id"])
            repo.accredit(data["provider_id"], operator_name(), settings().operator_ans_code,
                          local_today(occurred_at(event)), new_id())

    @handles("identity", "provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        data = event.data
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            if repo.provider(data["provider_id"]) is not None:
                repo.add_login(data["account_id"], data["provider_id"])

    @handles("identity", "secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        data = event.data
        with self.db.transaction() as tx:
            Repository(tx.session).save_secretary(
                data["account_id"], self.clock(), name=data["name"], email=data["email"],
                locale=data.get("locale"), deleted=False)

    @handles("identity", "account_updated")
    def handle_account_updated(self, event: Event) -> None:
        data = event.data
        if data.get("kind") != "secretary":
            return
        with self.db.transaction() as tx:
            Repository(tx.session).save_secretary(data["account_id"], self.clock(),
                                                  name=data["name"], email=data["email"])

    @handles("identity", "email_changed")
    def handle_email_changed(self, event: Event) -> None:
        data = event.data
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            if repo.secretary(data["account_id"]) is not None:
                repo.save_secretary(data["account_id"], self.clock(), email=data["new_email"])

    @handles("identity", "account_deleted")
    def handle_account_deleted(self, event: Event) -> None:
        """Deleting a profile ends its relationships (003): a secretary's at once; a provider's
        when its last login is deleted."""
        data, now = event.data, self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            if data.get("kind") == "secretary":
                repo.save_secretary(data["account_id"], now, deleted=True,
                                    **{k: data[k] for k in ("name", "email") if data.get(k)})
                pair = {"secretary_id": data["account_id"]}
            elif data.get("kind") == "provider" and data.get("provider_id"):
                repo.delete_login(data["account_id"])
                if repo.provider_account_ids(data["provider_id"]):
                    return
                pair = {"provider_id": data["provider_id"]}
            else:
                return
            withdraw(tx, repo, now, **pair)

    def know_secretary(self, secretary_id: str) -> dict:
        """The secretary from the read model, or from identity when her registration event has
        not arrived yet. Unknown or deleted ids are 404; other kinds of account 422."""
        with self.db.transaction() as tx:
            secretary = Repository(tx.session).secretary(secretary_id)
        if secretary is None:
            found = self.services("identity", "get_accounts", [secretary_id])
            account = found[0] if found else None
            if account is None or account.get("status") == "deleted":
                raise NotFound("No such secretary.", {"secretary_id": ["No such account."]})
            if account.get("kind") != "secretary":
                raise InvalidInput("Only secretaries can be invited.",
                                   {"secretary_id": ["This account is not a secretary."]})
            with self.db.transaction() as tx:
                Repository(tx.session).save_secretary(
                    secretary_id, self.clock(), name=account["name"], email=account["email"],
                    deleted=False)
                secretary = Repository(tx.session).secretary(secretary_id)
        if secretary["deleted"]:
            raise NotFound("No such secretary.", {"secretary_id": ["No such account."]})
        return secretary

    def know_provider(self, provider_id: str) -> None:
        """Make sure the provider is in the read model: normally its pre-registration event put
        it there long before anyone can act for it; if that event is still on its way, identity
        answers (and 404s an unknown id)."""
        with self.db.transaction() as tx:
            if Repository(tx.session).provider(provider_id) is not None:
                return
        provider = self.services("identity", "get_provider", provider_id)
        with self.db.transaction() as tx:
            Repository(tx.session).save_provider(provider_id, provider["legal_name"],
                                                 self.clock())
