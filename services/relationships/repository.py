"""Loading and saving the relationships service's state inside one unit of work."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ponte.contracts.relationships import ACCREDITED, ACTIVE, PENDING
from ponte.errors import Conflict
from ponte.pagination import page
from services.relationships.domain.invitations import Invitation
from services.relationships.domain.relationships import Relationship
from services.relationships.models import (
    accreditations,
    invitations,
    provider_logins,
    providers,
    relationships,
    secretaries,
)

Page = tuple[list[Any], str | None]


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- read models of identity's accounts ------------------------------------------------

    def provider(self, provider_id: str) -> dict | None:
        return self.providers([provider_id]).get(provider_id)

    def providers(self, ids: Iterable[str]) -> dict[str, dict]:
        rows = self.session.execute(sa.select(providers).where(providers.c.id.in_(set(ids))))
        return {row["id"]: dict(row) for row in rows.mappings()}

    def save_provider(self, provider_id: str, legal_name: str, now: datetime,
                      document: str | None = None, person_type: str | None = None,
                      email: str | None = None) -> None:
        values = {"legal_name": legal_name, "updated_at": now}
        if document is not None:
            values.update(document=document, person_type=person_type, email=email)
        self._upsert(providers, provider_id, values)

    def set_provider_type(self, provider_id: str, provider_type: str | None,
                          now: datetime) -> None:
        self.session.execute(providers.update().where(providers.c.id == provider_id).values(
            provider_type=provider_type, updated_at=now))

    def add_login(self, account_id: str, provider_id: str) -> None:
        exists = self.session.execute(sa.select(provider_logins.c.account_id).where(
            provider_logins.c.account_id == account_id)).first()
        if not exists:
            self.session.execute(provider_logins.insert().values(
                account_id=account_id, provider_id=provider_id, deleted=False))

    def provider_account_ids(self, provider_id: str) -> list[str]:
        return list(self.session.execute(sa.select(provider_logins.c.account_id).where(
            provider_logins.c.provider_id == provider_id,
            provider_logins.c.deleted.is_(False)).order_by(provider_logins.c.account_id)).scalars())

    def delete_login(self, account_id: str) -> None:
        self.session.execute(provider_logins.update().where(
            provider_logins.c.account_id == account_id).values(deleted=True))

    def accredit(self, provider_id: str, operator: str, ans_code: str, since: date,
                 new_id: str) -> None:
        exists = self.session.execute(sa.select(accreditations.c.id).where(
            accreditations.c.provider_id == provider_id,
            accreditations.c.ans_code == ans_code)).first()
        if not exists:
            self.session.execute(accreditations.insert().values(
                id=new_id, provider_id=provider_id, operator=operator, ans_code=ans_code,
                status=ACCREDITED, since=since))

    def accreditations(self, provider_id: str, limit: int, cursor: str | None) -> Page:
        query = sa.select(accreditations).where(accreditations.c.provider_id == provider_id)
        rows, next_cursor = page(self.session, query, [accreditations.c.id], limit, cursor,
                                 descending=False)
        return [dict(r) for r in rows], next_cursor

    def secretary(self, secretary_id: str) -> dict | None:
        return self.secretaries([secretary_id]).get(secretary_id)

    def secretaries(self, ids: Iterable[str]) -> dict[str, dict]:
        rows = self.session.execute(sa.select(secretaries).where(secretaries.c.id.in_(set(ids))))
        return {row["id"]: dict(row) for row in rows.mappings()}

    def save_secretary(self, secretary_id: str, now: datetime, **values: Any) -> None:
        self._upsert(secretaries, secretary_id, {**values, "updated_at": now})

    def _upsert(self, table: sa.Table, row_id: str, values: dict[str, Any]) -> None:
        updated = self.session.execute(table.update().where(table.c.id == row_id).values(**values))
        if not updated.rowcount:
            self.session.execute(table.insert().values(id=row_id, **values))

    # -- invitations ---------------------------------------------------------------------

    def add_invitation(self, invitation: Invitation) -> None:
        self.session.execute(invitations.insert().values(**self._invitation_row(invitation)))

    def save_invitation(self, invitation: Invitation) -> None:
        """Save the answer to a pending invitation; a concurrent answer that came first wins."""
        saved = self.session.execute(
            invitations.update()
            .where(invitations.c.id == invitation.id, invitations.c.status == PENDING)
            .values(**self._invitation_row(invitation)))
        if not saved.rowcount:
            raise Conflict("This invitation was answered meanwhile.")

    def invitation(self, invitation_id: str, lock: bool = False) -> Invitation | None:
        query = sa.select(invitations).where(invitations.c.id == invitation_id)
        row = self.session.execute(query.with_for_update() if lock else query).mappings().first()
        return _invitation(row) if row else None

    def pending_invitations(self, *, provider_id: str | None = None,
                            secretary_id: str | None = None) -> list[Invitation]:
        query = sa.select(invitations).where(invitations.c.status == PENDING)
        if provider_id:
            query = query.where(invitations.c.provider_id == provider_id)
        if secretary_id:
            query = query.where(invitations.c.secretary_id == secretary_id)
        return [_invitation(r) for r in self.session.execute(query.with_for_update()).mappings()]

    def invitations_page(self, limit: int, cursor: str | None, *, provider_id: str | None = None,
                         secretary_id: str | None = None, status: str | None = None) -> Page:
        query = sa.select(invitations)
        for column, value in ((invitations.c.provider_id, provider_id),
                              (invitations.c.secretary_id, secretary_id),
                              (invitations.c.status, status)):
            if value is not None:
                query = query.where(column == value)
        rows, next_cursor = self._page(query, invitations.c.created_at, invitations.c.id,
                                       limit, cursor)
        return [_invitation(r) for r in rows], next_cursor

    @staticmethod
    def _invitation_row(invitation: Invitation) -> dict[str, Any]:
        return {"id": invitation.id, "provider_id": invitation.provider_id,
                "secretary_id": invitation.secretary_id, "roles": list(invitation.roles),
                "status": invitation.status, "invited_by": invitation.invited_by,
                "until": invitation.until, "created_at": invitation.created_at,
                "decided_at": invitation.decided_at}

    # -- relationships -------------------------------------------------------------------

    def add_relationship(self, relationship: Relationship) -> None:
        self.session.execute(relationships.insert().values(**self._relationship_row(relationship)))

    def save_relationship(self, relationship: Relationship) -> None:
        """Save a change to an active relationship; a concurrent change that came first wins."""
        saved = self.session.execute(
            relationships.update()
            .where(relationships.c.id == relationship.id, relationships.c.status == ACTIVE)
            .values(**self._relationship_row(relationship)))
        if not saved.rowcount:
            raise Conflict("This relationship was changed meanwhile.")

    def relationship(self, relationship_id: str, lock: bool = False) -> Relationship | None:
        query = sa.select(relationships).where(relationships.c.id == relationship_id)
        row = self.session.execute(query.with_for_update() if lock else query).mappings().first()
        return _relationship(row) if row else None

    def active_relationships(self, *, provider_id: str | None = None,
                             secretary_id: str | None = None,
                             lock: bool = False) -> list[Relationship]:
        """Relationships recorded as active (some may be past their end: see ``status_at``)."""
        query = sa.select(relationships).where(relationships.c.status == ACTIVE)
        if provider_id:
            query = query.where(relationships.c.provider_id == provider_id)
        if secretary_id:
            query = query.where(relationships.c.secretary_id == secretary_id)
        query = query.order_by(relationships.c.started_at)
        if lock:
            query = query.with_for_update()
        return [_relationship(r) for r in self.session.execute(query).mappings()]

    def due_relationships(self, now: datetime, limit: int = 200) -> list[Relationship]:
        """Active relationships whose end has passed, locked so concurrent replicas of the
        expiry job each take different ones."""
        query = (sa.select(relationships)
                 .where(relationships.c.status == ACTIVE, relationships.c.ends_at <= now)
                 .order_by(relationships.c.ends_at).limit(limit)
                 .with_for_update(skip_locked=True))
        return [_relationship(r) for r in self.session.execute(query).mappings()]

    def relationships_page(self, limit: int, cursor: str | None, *,
                           provider_id: str | None = None,
                           secretary_id: str | None = None) -> Page:
        query = sa.select(relationships)
        if provider_id:
            query = query.where(relationships.c.provider_id == provider_id)
        if secretary_id:
            query = query.where(relationships.c.secretary_id == secretary_id)
        rows, next_cursor = self._page(query, relationships.c.started_at, relationships.c.id,
                                       limit, cursor)
        return [_relationship(r) for r in rows], next_cursor

    @staticmethod
    def _relationship_row(relationship: Relationship) -> dict[str, Any]:
        return {"id": relationship.id, "provider_id": relationship.provider_id,
                "secretary_id": relationship.secretary_id,
                "invitation_id": relationship.invitation_id, "roles": list(relationship.roles),
                "status": relationship.status, "started_at": relationship.started_at,
                "until": relationship.until, "ends_at": relationship.ends_at,
                "ended_by": relationship.ended_by}

    # -- pages, newest first -------------------------------------------------------------

    def _page(self, query: sa.Select, moment: sa.Column, row_id: sa.Column, limit: int,
              cursor: str | None) -> Page:
        return page(self.session, query, [moment, row_id], limit, cursor)


def _invitation(row: Any) -> Invitation:
    return Invitation(provider_id=row["provider_id"], secretary_id=row["secretary_id"],
                      roles=tuple(row["roles"]), created_at=row["created_at"],
                      invited_by=row["invited_by"], until=row["until"], status=row["status"],
                      decided_at=row["decided_at"], id=row["id"])


def _relationship(row: Any) -> Relationship:
    return Relationship(provider_id=row["provider_id"], secretary_id=row["secretary_id"],
                        roles=tuple(row["roles"]), started_at=row["started_at"],
                        until=row["until"], ends_at=row["ends_at"], status=row["status"],
                        invitation_id=row["invitation_id"], ended_by=row["ended_by"],
                        id=row["id"])
