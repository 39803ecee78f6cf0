"""The form error helper, the menu's rules and the templates' formatting filters."""
from __future__ import annotations

from gateway.web.client import Answer
from gateway.web.forms import field_id, form_errors, kept
from gateway.web.menu import MenuEntry, Person
from gateway.web.render import _localized
from ponte.roles import (
    ADMIN,
    AUDITOR,
    BILLING,
    CITIZEN,
    MANAGE_RELATIONSHIPS,
    OPERATOR,
    PROVIDER,
    SECRETARY,
    STAFF,
)

PROBLEM = {"type": "https://ponte.dev/problems/422", "title": "Dados inválidos", "status": 422,
           "detail": "Alguns campos são inválidos.",
           "errors": {"contact.name": ["Campo obrigatório."], "items.0.tooth": ["Inválido."],
                      "cpf": ["CPF inválido."]}}


def test_api_errors_land_on_their_fields_and_nothing_is_lost():
    answer = Answer(422, PROBLEM)
    assert form_errors(answer) == PROBLEM["errors"]
    mapped = form_errors(answer, {"items.0.tooth": "tooth"}, known={"contact.name", "tooth"})
    assert mapped == {"contact.name": ["Campo obrigatório."], "tooth": ["Inválido."],
                      "_body": ["cpf: CPF inválido."]}
    assert form_errors(Answer(409, {"detail": "Já existe."})) == {"_body": ["Já existe."]}
    assert field_id("contact.name") == "contact-name"


def test_what_was_typed_is_kept_but_never_a_password():
    form = {"name": "Ana", "password": "x", "password_confirmation": "x",
            "current_password": "y", "csrf": "t"}
    assert kept(form) == {"name": "Ana"}


def person(kind: str, roles=(), grants=()) -> Person:
    return Person("a1", kind, "Ana", tuple(roles),
                  [{"provider_id": p, "legal_name": p, "roles": list(r)} for p, r in grants],
                  grants[0][0] if grants else None)


def test_menu_entries_follow_kind_staff_roles_and_the_roles_held_for_the_provider():
    everyone = MenuEntry("Home", "/")
    relationships = MenuEntry("Relationships", "/relationships", kinds=(PROVIDER, SECRETARY),
                              provider_roles=(MANAGE_RELATIONSHIPS,))
    network = MenuEntry("Providers", "/providers", kinds=(STAFF,), staff_roles=(OPERATOR,))
    manager = person(SECRETARY, grants=[("p1", [MANAGE_RELATIONSHIPS])])
    biller = person(SECRETARY, grants=[("p1", [BILLING])])
    assert manager.may_use(relationships) and not biller.may_use(relationships)
    assert not person(CITIZEN).may_use(relationships) and person(CITIZEN).may_use(everyone)
    assert person(STAFF, [OPERATOR]).may_use(network)
    assert person(STAFF, [ADMIN]).may_use(network)  # admin passes every staff role
    assert not person(STAFF, [AUDITOR]).may_use(network)


def test_the_secretary_acts_for_the_provider_she_chose_among_hers():
    me = {"id": "s1", "kind": SECRETARY, "name": "Ana", "email": "a@x", "roles": [],
          "acting_for": [{"provider_id": "p1", "legal_name": "One", "roles": [BILLING]},
                         {"provider_id": "p2", "legal_name": "Two",
                          "roles": [MANAGE_RELATIONSHIPS]}]}
    assert Person.from_me(me, None).provider_id == "p1"
    assert Person.from_me(me, "p2").provider_roles == {MANAGE_RELATIONSHIPS}
    assert Person.from_me(me, "someone-else").provider_id == "p1"


def test_templates_format_money_numbers_and_instants_in_the_page_language():
    template = "{{ 1234.56|money }} | {{ 1234.5|number(2) }} | {{ when|datetime }} | " \
               "{{ '11222333000181'|document }}"
    values = {"when": "2026-12-07T12:00:00Z"}
    assert _localized("pt-BR").from_string(template).render(values) == \
        "R$\xa01.234,56 | 1.234,50 | 07/12/2026 às 09:00 | 11.222.333/0001-81"
    assert _localized("en").from_string(template).render(values) == \
        "R$1,234.56 | 1,234.50 | 2026-12-07 at 09:00 | 11.222.333/0001-81"
