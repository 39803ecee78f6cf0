"""The events of the relationships service (docs/events.md), written to the outbox with the
change that causes them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ponte.db import Transaction
from services.relationships.domain import Invitation, Relationship
from services.relationships.repository import Repository
from services.relationships.views import day, iso


def publish(tx: Transaction, repo: Repository, event_type: str,
            subject: Invitation | Relationship, **extra: Any) -> None:
    """Every event carries enough for notifications to address both sides."""
    provider = repo.provider(subject.provider_id)
    secretary = repo.secretary(subject.secretary_id)
    data = {"provider_id": subject.provider_id,
            "provider_legal_name": provider["legal_name"] if provider else None,
            "provider_account_ids": repo.provider_account_ids(subject.provider_id),
            "secretary_id": subject.secretary_id,
            "secretary_name": secretary["name"] if secretary else None,
            "secretary_email": secretary["email"] if secretary else None,
            "secretary_locale": secretary["locale"] if secretary else None,
            "roles": list(subject.roles)}
    if isinstance(subject, Invitation):
        data["invitation_id"] = subject.id
    else:
        data.update(relationship_id=subject.id, invitation_id=subject.invitation_id,
                    status=subject.status, started_at=iso(subject.started_at),
                    until=day(subject.until), ends_at=iso(subject.ends_at))
    tx.publish(event_type, {**data, **extra})


def expire(tx: Transaction, repo: Repository, relationship: Relationship, now: datetime) -> None:
    relationship.expire(now)
    repo.save_relationship(relationship)
    publish(tx, repo, "relationship_expired", relationship)


def settle(tx: Transaction, repo: Repository, now: datetime, **pair: str) -> list[Relationship]:
    """The relationships (of a provider, a secretary or both) that are really active; those past
    their end are recorded as expired on the way."""
    live = []
    for relationship in repo.active_relationships(lock=True, **pair):
        if relationship.is_active(now):
            live.append(relationship)
        else:
            expire(tx, repo, relationship, now)
    return live


def withdraw(tx: Transaction, repo: Repository, now: datetime, **pair: str) -> None:
    """A deleted account: its pending invitations are cancelled and its relationships end."""
    for invitation in repo.pending_invitations(**pair):
        invitation.cancel(now)
        repo.save_invitation(invitation)
        publish(tx, repo, "invitation_cancelled", invitation, reason="account_deleted")
    for relationship in settle(tx, repo, now, **pair):
        relationship.end(now, ended_by="account_deleted")
        repo.save_relationship(relationship)
        publish(tx, repo, "relationship_ended", relationship, ended_by="account_deleted",
                actor_account_id=None)
