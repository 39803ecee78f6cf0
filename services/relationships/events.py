"""Every event the relationships service publishes (docs/events.md "relationships"), built in
one place. Each carries enough for notifications to address both sides: the provider's legal
name and logins, the secretary's name, e-mail and locale."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ponte.clock import iso
from ponte.service_layer import Event
from services.relationships.domain.invitations import Invitation
from services.relationships.domain.relationships import Relationship
from services.relationships.views import day


@dataclass(frozen=True)
class Parties:
    """Both sides of an invitation or a relationship, as the read models know them."""

    provider: dict | None
    provider_account_ids: list[str]
    secretary: dict | None


def _about(event_type: str, subject: Invitation | Relationship, parties: Parties,
           **extra: Any) -> Event:
    provider, secretary = parties.provider, parties.secretary
    data = {"provider_id": subject.provider_id,
            "provider_legal_name": provider["legal_name"] if provider else None,
            "provider_account_ids": parties.provider_account_ids,
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
    return Event(event_type, {**data, **extra})


def invitation_sent(invitation: Invitation, parties: Parties, invited_by: str) -> Event:
    return _about("invitation_sent", invitation, parties, invited_by=invited_by)


def invitation_accepted(relationship: Relationship, parties: Parties) -> Event:
    return _about("invitation_accepted", relationship, parties)


def invitation_declined(invitation: Invitation, parties: Parties) -> Event:
    return _about("invitation_declined", invitation, parties)


def invitation_cancelled(invitation: Invitation, parties: Parties, reason: str) -> Event:
    return _about("invitation_cancelled", invitation, parties, reason=reason)


def relationship_roles_changed(relationship: Relationship, parties: Parties,
                               previous_roles: tuple[str, ...], changed_by: str) -> Event:
    return _about("relationship_roles_changed", relationship, parties,
                  previous_roles=list(previous_roles), changed_by=changed_by)


def relationship_ended(relationship: Relationship, parties: Parties,
                       actor_account_id: str | None) -> Event:
    return _about("relationship_ended", relationship, parties, ended_by=relationship.ended_by,
                  actor_account_id=actor_account_id)


def relationship_expired(relationship: Relationship, parties: Parties) -> Event:
    return _about("relationship_expired", relationship, parties)
