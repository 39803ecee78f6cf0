"""nameko face of the relationships service: RPC for the gateway, the expiry job, and the read
models of identity's providers and secretaries (``accounts.py``)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Callable, Iterator

from nameko.timer import timer
from sqlalchemy.exc import IntegrityError

from ponte.db import Database
from ponte.errors import Conflict, Forbidden, InvalidInput
from ponte.rpc import Services
from ponte.service import rpc
from services.relationships import access, views
from services.relationships.accounts import AccountsReadModel
from services.relationships.dependencies import Clock
from services.relationships.access import MANAGE
from services.relationships.domain import Caller, Invitation, validate_roles
from services.relationships.events import expire, publish, settle
from services.relationships.repository import Repository

EXPIRY_INTERVAL_SECONDS = 30
DUPLICATE = ("This secretary already has a pending invitation or an active relationship with "
             "this provider.")


@contextmanager
def conflict_on_duplicate(message: str) -> Iterator[None]:
    """Two concurrent requests for the same pair: the unique indexes let one win, the other
    gets the 409 it would have got a moment later."""
    try:
        yield
    except IntegrityError:
        raise Conflict(message) from None


def parse_until(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("until must be a date YYYY-MM-DD.",
                           {"until": ["Not a valid date (YYYY-MM-DD)."]}) from None


class RelationshipsService(AccountsReadModel):
    name = "relationships"
    db = Database()
    services = Services()
    clock: Callable[[], datetime] = Clock()

    @rpc
    def acting_for(self, account_id: str) -> list[dict]:
        """``[{provider_id, legal_name, roles}]`` of the account's active relationships."""
        now = self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            live = [r for r in repo.active_relationships(secretary_id=account_id)
                    if r.is_active(now)]
            names = {p["id"]: p["legal_name"] for p in repo.providers(
                r.provider_id for r in live).values()}
        return [{"provider_id": r.provider_id, "legal_name": names.get(r.provider_id),
                 "roles": list(r.roles)} for r in live]

    @rpc
    def invite(self, caller: dict, provider_id: str, secretary_id: str,
               roles: list[str]) -> dict:
        who, roles, now = Caller.from_context(caller), validate_roles(roles), self.clock()
        self.know_secretary(secretary_id)
        self.know_provider(provider_id)
        with conflict_on_duplicate(DUPLICATE), self.db.transaction() as tx:
            repo = Repository(tx.session)
            access.require(repo, who, provider_id, now, MANAGE)
            provider = repo.provider(provider_id)
            secretary = repo.secretary(secretary_id)
            if repo.pending_invitations(provider_id=provider_id, secretary_id=secretary_id) or \
                    settle(tx, repo, now, provider_id=provider_id, secretary_id=secretary_id):
                raise Conflict(DUPLICATE)
            invitation = Invitation.send(provider_id, secretary_id, roles, now, who.account_id)
            repo.add_invitation(invitation)
            publish(tx, repo, "invitation_sent", invitation, invited_by=who.account_id)
        return views.invitation_view(invitation, provider, secretary)

    @rpc
    def list_provider_invitations(self, caller: dict, provider_id: str, status: str | None = None,
                                  limit: int = 50, cursor: str | None = None) -> dict:
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            access.require(repo, Caller.from_context(caller), provider_id, self.clock(), MANAGE)
            items, next_cursor = repo.invitations_page(limit, cursor, provider_id=provider_id,
                                                       status=status)
            return views.invitation_page(repo, items, next_cursor)

    @rpc
    def list_my_invitations(self, caller: dict, limit: int = 50,
                            cursor: str | None = None) -> dict:
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            items, next_cursor = repo.invitations_page(
                limit, cursor, secretary_id=caller["account_id"], status="pending")
            return views.invitation_page(repo, items, next_cursor)

    @rpc
    def accept_invitation(self, caller: dict, invitation_id: str,
                          until: str | None = None) -> dict:
        now, last_day = self.clock(), parse_until(until)
        with conflict_on_duplicate("This secretary already acts for this provider."), \
                self.db.transaction() as tx:
            repo = Repository(tx.session)
            invitation = access.own_invitation(repo, Caller.from_context(caller), invitation_id)
            if invitation.status == "pending" and settle(
                    tx, repo, now, provider_id=invitation.provider_id,
                    secretary_id=invitation.secretary_id):
                raise Conflict("You already act for this provider.")
            relationship = invitation.accept(last_day, now)
            repo.save_invitation(invitation)
            repo.add_relationship(relationship)
            publish(tx, repo, "invitation_accepted", relationship)
            return views.relationship_of(repo, relationship, now)

    @rpc
    def decline_invitation(self, caller: dict, invitation_id: str) -> dict:
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            invitation = access.own_invitation(repo, Caller.from_context(caller), invitation_id)
            invitation.decline(self.clock())
            repo.save_invitation(invitation)
            publish(tx, repo, "invitation_declined", invitation)
            return views.invitation_view(invitation, repo.provider(invitation.provider_id),
                                         repo.secretary(invitation.secretary_id))

    @rpc
    def list_provider_relationships(self, caller: dict, provider_id: str, limit: int = 50,
                                    cursor: str | None = None) -> dict:
        now = self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            access.require(repo, Caller.from_context(caller), provider_id, now, MANAGE)
            items, next_cursor = repo.relationships_page(limit, cursor, provider_id=provider_id)
            return views.relationship_page(repo, items, next_cursor, now)

    @rpc
    def list_my_relationships(self, caller: dict, limit: int = 50,
                              cursor: str | None = None) -> dict:
        now = self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            items, next_cursor = repo.relationships_page(limit, cursor,
                                                         secretary_id=caller["account_id"])
            return views.relationship_page(repo, items, next_cursor, now)

    @rpc
    def change_roles(self, caller: dict, relationship_id: str, roles: list[str]) -> dict:
        who, roles, now = Caller.from_context(caller), validate_roles(roles), self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            relationship = access.relationship_to_change(repo, relationship_id)
            if access.side(repo, who, relationship, now) != "provider":
                raise Forbidden("Only the provider side can change a relationship's roles; "
                                "you cannot change your own.")
            previous = relationship.change_roles(roles, now)
            repo.save_relationship(relationship)
            if previous != relationship.roles:
                publish(tx, repo, "relationship_roles_changed", relationship,
                        previous_roles=list(previous), changed_by=who.account_id)
            return views.relationship_of(repo, relationship, now)

    @rpc
    def end_relationship(self, caller: dict, relationship_id: str) -> dict:
        who, now = Caller.from_context(caller), self.clock()
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            relationship = access.relationship_to_change(repo, relationship_id)
            relationship.end(now, ended_by=access.side(repo, who, relationship, now))
            repo.save_relationship(relationship)
            publish(tx, repo, "relationship_ended", relationship,
                    ended_by=relationship.ended_by, actor_account_id=who.account_id)
            return views.relationship_of(repo, relationship, now)

    @rpc
    def list_accreditations(self, caller: dict, provider_id: str, limit: int = 50,
                            cursor: str | None = None) -> dict:
        with self.db.transaction() as tx:
            repo = Repository(tx.session)
            access.require(repo, Caller.from_context(caller), provider_id, self.clock())
            rows, next_cursor = repo.accreditations(provider_id, limit, cursor)
        return {"items": [views.accreditation_view(r) for r in rows], "next_cursor": next_cursor}

    @timer(interval=EXPIRY_INTERVAL_SECONDS, eager=True)
    def expire_relationships(self) -> int:
        """Record as expired every active relationship whose end has passed, and tell both
        sides. Readers already see them as expired before this runs (``status_at``)."""
        expired = 0
        while True:
            now = self.clock()
            with self.db.transaction() as tx:
                repo = Repository(tx.session)
                due = repo.due_relationships(now)
                for relationship in due:
                    expire(tx, repo, relationship, now)
            expired += len(due)
            if len(due) < 200:
                return expired
