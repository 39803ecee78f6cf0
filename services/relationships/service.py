"""nameko face of the relationships service: each RPC of docs/rpc.md, each subscription of
docs/events.md and the expiry job forward to a use case (``usecases/``)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nameko.timer import timer

from ponte.caller import Caller
from ponte.clock import Clock
from ponte.db import Database
from ponte.messaging import Event, handles
from ponte.rpc import Services
from ponte.service import BaseService, rpc
from services.relationships.usecases import Ctx, accounts, context, invitations, relationships

EXPIRY_INTERVAL_SECONDS = 30


class RelationshipsService(BaseService):
    name = "relationships"
    db = Database()
    services = Services()
    clock: Callable[[], datetime] = Clock()

    @property
    def ctx(self) -> Ctx:
        return context(self.db, self.clock, rpc=self.services)

    # whom a secretary acts for (the gateway caches it)
    @rpc
    def acting_for(self, account_id: str) -> list[dict]:
        return relationships.acting_for(self.ctx, account_id)

    # invitations
    @rpc
    def invite(self, caller: dict, provider_id: str, secretary_id: str | None,
               roles: list[str] | None, form_errors: dict | None = None,
               until: str | None = None) -> dict:
        return invitations.invite(self.ctx, Caller.of(caller), provider_id, secretary_id, roles,
                                  form_errors, until)

    @rpc
    def list_provider_invitations(self, caller: dict, provider_id: str, status: str | None = None,
                                  limit: int = 50, cursor: str | None = None) -> dict:
        return invitations.list_provider_invitations(self.ctx, Caller.of(caller), provider_id,
                                                     status, limit, cursor)

    @rpc
    def list_my_invitations(self, caller: dict, limit: int = 50,
                            cursor: str | None = None) -> dict:
        return invitations.list_my_invitations(self.ctx, Caller.of(caller), limit, cursor)

    @rpc
    def accept_invitation(self, caller: dict, invitation_id: str, until: str | None = None,
                          as_proposed: bool = False) -> dict:
        return invitations.accept_invitation(self.ctx, Caller.of(caller), invitation_id, until,
                                             as_proposed)

    @rpc
    def decline_invitation(self, caller: dict, invitation_id: str) -> dict:
        return invitations.decline_invitation(self.ctx, Caller.of(caller), invitation_id)

    # relationships
    @rpc
    def list_provider_relationships(self, caller: dict, provider_id: str, limit: int = 50,
                                    cursor: str | None = None) -> dict:
        return relationships.list_provider_relationships(self.ctx, Caller.of(caller), provider_id,
                                                         limit, cursor)

    @rpc
    def list_my_relationships(self, caller: dict, limit: int = 50,
                              cursor: str | None = None) -> dict:
        return relationships.list_my_relationships(self.ctx, Caller.of(caller), limit, cursor)

    @rpc
    def change_roles(self, caller: dict, relationship_id: str, roles: list[str]) -> dict:
        return relationships.change_roles(self.ctx, Caller.of(caller), relationship_id, roles)

    @rpc
    def end_relationship(self, caller: dict, relationship_id: str) -> dict:
        return relationships.end_relationship(self.ctx, Caller.of(caller), relationship_id)

    @rpc
    def list_accreditations(self, caller: dict, provider_id: str, limit: int = 50,
                            cursor: str | None = None) -> dict:
        return relationships.list_accreditations(self.ctx, Caller.of(caller), provider_id, limit,
                                                 cursor)

    @timer(interval=EXPIRY_INTERVAL_SECONDS, eager=True)
    def expire_relationships(self) -> int:
        return relationships.expire_due(self.ctx)

    # identity's accounts (read model). Subscription names are for good: they name the durable
    # queues and the records of processed events (docs/events.md, "Subscriptions").
    @handles("identity", "provider_preregistered",
             subscription="handle_provider_preregistered")
    def handle_provider_preregistered(self, event: Event) -> None:
        accounts.provider_preregistered(self.ctx, event)

    @handles("identity", "provider_registered", subscription="handle_provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        accounts.provider_registered(self.ctx, event)

    @handles("identity", "secretary_registered", subscription="handle_secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        accounts.secretary_registered(self.ctx, event)

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        accounts.account_updated(self.ctx, event)

    @handles("identity", "email_changed", subscription="handle_email_changed")
    def handle_email_changed(self, event: Event) -> None:
        accounts.email_changed(self.ctx, event)

    @handles("identity", "account_deleted", subscription="handle_account_deleted")
    def handle_account_deleted(self, event: Event) -> None:
        accounts.account_deleted(self.ctx, event)
