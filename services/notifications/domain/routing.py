"""Who is told of an event: its audience, in the one shape every service uses (COMMON.md)::

    {"accounts": [account ids told directly],
     "provider": {"id": "<provider id>", "roles": ["authorizations"]} | null,
     "staff_roles": ["auditor"]}

meaning every listed account; every login of that provider plus its secretaries holding one of
those roles; every staff account with one of those roles. Events of authorizations and attendance
carry it in ``data["audience"]``. Identity and relationships events predate the convention; their
audience is derived here from the fields docs/events.md lists for them. The table "who is told" in
docs/events.md is this module in prose.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ponte.contracts.audience import Audience as EventAudience
from ponte.roles import MANAGE_RELATIONSHIPS


@dataclass(frozen=True)
class Audience:
    """An event's audience as notifications resolves it: who is told, and who never is (the
    actor of the event)."""

    accounts: tuple[str, ...] = ()
    provider_id: str | None = None
    provider_roles: tuple[str, ...] = ()
    staff_roles: tuple[str, ...] = ()
    exclude: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, raw: Any, exclude: tuple[str | None, ...] = ()) -> Audience:
        """The ``audience`` of an event (read by ``ponte.contracts.audience``); anything
        malformed counts as nobody."""
        told = EventAudience.of(raw)
        return cls(accounts=told.accounts,
                   provider_id=told.provider_id if isinstance(told.provider_id, str) else None,
                   provider_roles=told.roles, staff_roles=told.staff_roles,
                   exclude=frozenset(e for e in exclude if e))

    @property
    def empty(self) -> bool:
        return not (self.accounts or self.provider_id or self.staff_roles)


IDENTITY_PERSONAL = ("provider_invited", "provider_registered", "secretary_registered",
                     "citizen_registered", "staff_created", "password_reset_requested",
                     "password_changed", "email_changed", "account_deleted")
RELATIONSHIP_EVENTS = ("invitation_sent", "invitation_accepted", "invitation_declined",
                       "invitation_cancelled", "relationship_roles_changed",
                       "relationship_ended", "relationship_expired")


def _provider_side(data: Mapping[str, Any], **extra: Any) -> dict:
    """The provider's logins and its secretaries who manage relationships."""
    return {"accounts": list(data.get("provider_account_ids") or []),
            "provider": {"id": data.get("provider_id"), "roles": [MANAGE_RELATIONSHIPS]},
            **extra}


def relationships_audience(event_type: str, data: Mapping[str, Any]) -> Audience:
    """invitation_sent and roles_changed tell the secretary; accepted and declined tell the
    provider side; ended tells the side that did not end it; expired and a withdrawal caused by
    a deleted account tell both sides (the deleted account is skipped when resolving)."""
    secretary = data.get("secretary_id")
    to_secretary = {"accounts": [secretary]}
    to_both = _provider_side(data, accounts=[*(data.get("provider_account_ids") or []),
                                             secretary])
    if event_type in ("invitation_sent", "relationship_roles_changed"):
        raw = to_secretary
    elif event_type in ("invitation_accepted", "invitation_declined"):
        raw = _provider_side(data)
    elif event_type == "relationship_ended":
        raw = {"provider": to_secretary, "secretary": _provider_side(data)}.get(
            data.get("ended_by"), to_both)
    else:  # invitation_cancelled, relationship_expired
        raw = to_both
    # the secretary herself never hears of her own act through the provider side
    exclude = (data.get("actor_account_id"),)
    if event_type in ("invitation_accepted", "invitation_declined"):
        exclude += (secretary,)
    return Audience.parse(raw, exclude)


def audience_of(source: str, event_type: str, data: Mapping[str, Any]) -> Audience:
    if source == "identity":
        if event_type in IDENTITY_PERSONAL:
            return Audience(accounts=(data["account_id"],)) if data.get("account_id") \
                else Audience()
        return Audience()
    if source == "relationships":
        return relationships_audience(event_type, data)
    return Audience.parse(data.get("audience"), (data.get("actor_account_id"),))
