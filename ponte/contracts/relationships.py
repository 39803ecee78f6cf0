"""Relationships' words shared by the gateway and the services (API.md "Relationships"): the
statuses of an invitation and of a relationship, and who ended one."""
from __future__ import annotations

PENDING, ACCEPTED, DECLINED, CANCELLED = "pending", "accepted", "declined", "cancelled"
INVITATION_STATUSES: tuple[str, ...] = (PENDING, ACCEPTED, DECLINED, CANCELLED)

ACTIVE, ENDED, EXPIRED = "active", "ended", "expired"
RELATIONSHIP_STATUSES: tuple[str, ...] = (ACTIVE, ENDED, EXPIRED)

SECRETARY_SIDE, PROVIDER_SIDE, ACCOUNT_DELETED = "secretary", "provider", "account_deleted"
ENDED_BY: tuple[str, ...] = (SECRETARY_SIDE, PROVIDER_SIDE, ACCOUNT_DELETED)
"""``ended_by`` of ``relationship_ended``: the side that ended it, or the account's deletion."""

ACCREDITED = "active"
"""The status of a provider's accreditation to the operator (``GET .../accreditations``)."""
