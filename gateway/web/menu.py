"""The navigation menu: one table of entries, each shown only to those who may use it.

A later screen adds its entry to :data:`MENU` (and nowhere else): its label (a message id,
translated when rendered), its address, the account kinds that see it and, where the screen
needs them, the staff roles (any one; ``admin`` passes every staff role) or the provider roles
the person must hold for the provider acted for (a provider account holds all of them). The
menu only hides what a person may not use; the API still judges every request behind it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.i18n import N_
from ponte.roles import (
    ACCOUNT_KINDS,
    ADMIN,
    AUDITOR,
    AUTHORIZATIONS,
    BILLING,
    CITIZEN,
    MANAGE_RELATIONSHIPS,
    MANAGER,
    OPERATOR,
    PROVIDER,
    PROVIDER_ROLES,
    SECRETARY,
    SERVANT,
    STAFF,
)


@dataclass(frozen=True)
class MenuEntry:
    label: str
    href: str
    kinds: tuple[str, ...] = ACCOUNT_KINDS
    staff_roles: tuple[str, ...] = ()
    provider_roles: tuple[str, ...] = ()


@dataclass
class Person:
    """The signed-in person as the header and menu need them (from ``GET /api/v1/me``)."""

    account_id: str
    kind: str
    name: str
    roles: tuple[str, ...] = ()  # staff roles
    acting_for: list[dict[str, Any]] = field(default_factory=list)
    """``[{provider_id, legal_name, roles}]``"""
    provider_id: str | None = None  # the provider acted for now (a provider: itself)

    @classmethod
    def from_me(cls, me: dict[str, Any], chosen: str | None) -> Person:
        acting = list(me.get("acting_for") or [])
        ids = [grant["provider_id"] for grant in acting]
        provider_id = chosen if chosen in ids else (ids[0] if ids else None)
        if me.get("kind") == PROVIDER and me.get("provider"):
            provider_id = me["provider"]["id"]
        return cls(account_id=me["id"], kind=me["kind"], name=me.get("name") or me["email"],
                   roles=tuple(me.get("roles") or ()), acting_for=acting,
                   provider_id=provider_id)

    @property
    def acting(self) -> dict[str, Any] | None:
        """The grant of the provider acted for: ``{provider_id, legal_name, roles}``."""
        return next((g for g in self.acting_for if g["provider_id"] == self.provider_id), None)

    @property
    def provider_roles(self) -> frozenset[str]:
        grant = self.acting
        return frozenset(grant["roles"]) if grant else frozenset()

    def may_use(self, entry: MenuEntry) -> bool:
        if self.kind not in entry.kinds:
            return False
        if entry.staff_roles and not (self.kind == STAFF and (
                ADMIN in self.roles or set(entry.staff_roles) & set(self.roles))):
            return False
        return not entry.provider_roles or bool(set(entry.provider_roles) & self.provider_roles)


MENU: list[MenuEntry] = [
    MenuEntry(N_("Home"), "/"),
    MenuEntry(N_("Notification preferences"), "/notifications/preferences"),
    MenuEntry(N_("Services"), "/services", kinds=(CITIZEN,)),
    MenuEntry(N_("My requests"), "/my-requests", kinds=(CITIZEN,)),
    MenuEntry(N_("Appointments"), "/my-appointments", kinds=(CITIZEN,)),
    MenuEntry(N_("Appointments"), "/appointments", kinds=(PROVIDER, SECRETARY),
              provider_roles=(AUTHORIZATIONS,)),
    # the provider network (gateway/web/network.py, profile.py, bulletins.py, staff.py)
    MenuEntry(N_("My registration"), "/my-account"),
    MenuEntry(N_("Bulletins"), "/bulletins", kinds=(PROVIDER, SECRETARY),
              provider_roles=PROVIDER_ROLES),
    MenuEntry(N_("Bulletins"), "/bulletins", kinds=(STAFF,), staff_roles=(OPERATOR,)),
    MenuEntry(N_("Relationships"), "/relationships", kinds=(PROVIDER, SECRETARY),
              provider_roles=(MANAGE_RELATIONSHIPS,)),
    MenuEntry(N_("Invitations"), "/invitations", kinds=(SECRETARY,)),
    MenuEntry(N_("Providers"), "/operator/providers", kinds=(STAFF,), staff_roles=(OPERATOR,)),
    MenuEntry(N_("Team"), "/admin/team", kinds=(STAFF,), staff_roles=(ADMIN,)),
    MenuEntry(N_("Institutions"), "/admin/institutions", kinds=(STAFF,), staff_roles=(ADMIN,)),
    MenuEntry(N_("Find a provider"), "/providers", kinds=(CITIZEN,)),
    MenuEntry(N_("Authorization requests"), "/authorizations", kinds=(PROVIDER, SECRETARY),
              provider_roles=(AUTHORIZATIONS,)),
    MenuEntry(N_("Check code"), "/authorization-codes", kinds=(PROVIDER, SECRETARY),
              provider_roles=(AUTHORIZATIONS,)),
    MenuEntry(N_("Payments"), "/payments", kinds=(PROVIDER, SECRETARY),
              provider_roles=(BILLING,)),
    MenuEntry(N_("Talk to the operator"), "/inquiries", kinds=(PROVIDER, SECRETARY),
              provider_roles=(AUTHORIZATIONS, BILLING)),
    MenuEntry(N_("Audit queue"), "/audit-queue", kinds=(STAFF,), staff_roles=(AUDITOR,)),
    MenuEntry(N_("Check code"), "/authorization-codes", kinds=(STAFF,),
              staff_roles=(AUDITOR, OPERATOR)),
    MenuEntry(N_("Payments"), "/payments", kinds=(STAFF,), staff_roles=(OPERATOR,)),
    MenuEntry(N_("Inquiries"), "/inquiries", kinds=(STAFF,), staff_roles=(OPERATOR,)),
    # the institution (seed 002): managers, and servants who attend
    MenuEntry(N_("Service charter"), "/institution/services", kinds=(STAFF,),
              staff_roles=(MANAGER,)),
    MenuEntry(N_("Attendants"), "/institution/attendants", kinds=(STAFF,), staff_roles=(MANAGER,)),
    MenuEntry(N_("Panel"), "/institution/panel", kinds=(STAFF,), staff_roles=(SERVANT, MANAGER)),
    MenuEntry(N_("Ratings"), "/institution/ratings", kinds=(STAFF,), staff_roles=(SERVANT,)),
    MenuEntry(N_("Daily agenda"), "/institution/agenda", kinds=(STAFF,),
              staff_roles=(SERVANT, MANAGER)),
    MenuEntry(N_("Ask for attendant access"), "/institution/access", kinds=(STAFF,),
              staff_roles=(SERVANT,)),
]


def entries_for(person: Person) -> list[MenuEntry]:
    """The entries of :data:`MENU` ``person`` may use, in the table's order."""
    return [entry for entry in MENU if person.may_use(entry)]
