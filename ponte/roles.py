"""Role names and account kinds, defined once.

Provider roles are what a secretary may hold for a provider (000); a provider login holds all of
them for itself. Staff roles belong to operator employees and public servants; ``admin`` passes
every staff-role check.
"""
from __future__ import annotations

AUTHORIZATIONS = "authorizations"
BILLING = "billing"
COMMERCIAL = "commercial"
MANAGE_RELATIONSHIPS = "manage_relationships"
PROVIDER_ROLES: tuple[str, ...] = (AUTHORIZATIONS, BILLING, COMMERCIAL, MANAGE_RELATIONSHIPS)

ADMIN = "admin"
OPERATOR = "operator"
AUDITOR = "auditor"
MANAGER = "manager"
SERVANT = "servant"
STAFF_ROLES: tuple[str, ...] = (ADMIN, OPERATOR, AUDITOR, MANAGER, SERVANT)

PROVIDER = "provider"
SECRETARY = "secretary"
CITIZEN = "citizen"
STAFF = "staff"
ACCOUNT_KINDS: tuple[str, ...] = (PROVIDER, SECRETARY, CITIZEN, STAFF)
