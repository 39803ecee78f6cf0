"""The provider network's screens without a server: the menu entries a person sees by the roles
held for the provider acted for, and the screens the inbox links open."""
from __future__ import annotations

from gateway.web.inbox import screen_for
from gateway.web.menu import Person, entries_for
from ponte.roles import PROVIDER_ROLES


def secretary(*roles: str) -> Person:
    grant = {"provider_id": "p1", "legal_name": "Odonto Arte", "roles": list(roles)}
    return Person.from_me({"id": "s1", "kind": "secretary", "email": "s@x.test",
                           "acting_for": [grant] if roles else []}, None)


def hrefs(person: Person) -> set[str]:
    return {entry.href for entry in entries_for(person)}


def test_a_provider_sees_every_provider_side_entry():
    provider = Person.from_me({"id": "a1", "kind": "provider", "email": "p@x.test",
                               "provider": {"id": "p1"},
                               "acting_for": [{"provider_id": "p1", "legal_name": "O",
                                               "roles": list(PROVIDER_ROLES)}]}, None)
    assert {"/my-account", "/bulletins", "/relationships"} <= hrefs(provider)
    assert "/invitations" not in hrefs(provider) and "/operator/providers" not in hrefs(provider)


def test_a_secretary_sees_the_entries_her_roles_open():
    assert "/relationships" not in hrefs(secretary("billing"))
    assert "/relationships" in hrefs(secretary("manage_relationships"))
    assert "/bulletins" in hrefs(secretary("billing"))
    assert "/bulletins" not in hrefs(secretary())  # no active relationship, no bulletins
    assert "/invitations" in hrefs(secretary())


def test_staff_entries_follow_the_staff_roles():
    def staff(*roles: str) -> set[str]:
        return hrefs(Person.from_me({"id": "t", "kind": "staff", "email": "t@x.test",
                                     "roles": list(roles)}, None))
    assert {"/operator/providers", "/bulletins"} <= staff("operator")
    assert "/admin/team" not in staff("operator")
    assert {"/admin/team", "/admin/institutions", "/operator/providers"} <= staff("admin")
    assert not {"/operator/providers", "/admin/team", "/bulletins"} & staff("auditor")


def test_the_network_notifications_link_to_their_screens():
    assert screen_for("/api/v1/me/invitations") == "/invitations"
    assert screen_for("/api/v1/me/relationships") == "/invitations"
    assert screen_for("/api/v1/providers/p1/relationships") == "/relationships"
    assert screen_for("/api/v1/bulletins") == "/bulletins"
    assert screen_for("/api/v1/me") == "/my-account"
