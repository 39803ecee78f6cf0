"""The care network of manuals 000 and 003: the operator's staff, a clinic with two sites and a
dentist registered from their invitation links with complete profiles, their secretaries, and
the citizens who use it."""
from __future__ import annotations

from ponte import roles
from ponte.demo.accounts import (
    ADMIN,
    AUDITOR,
    BEATRIZ,
    CARLA,
    CLINIC_BARRA,
    CLINIC_CENTRO,
    DAVI,
    DENTIST,
    OPERATOR,
    SOFIA,
    Person,
)
from ponte.demo.files import pdf, png
from ponte.demo.world import World


def staff_member(world: World, person: Person, granted: list[str]) -> None:
    """The administrator creates the account; the person sets a password from the e-mailed
    link (the same link as a password reset)."""
    world.ledger.once(f"staff:{person.key}", lambda: {"id": world.call(
        ADMIN, "POST", "/staff", {"email": person.login, "name": person.name,
                                  "roles": granted})["id"]})
    world.ledger.once(f"staff:{person.key}:password", lambda: choose_password(world, person))


def choose_password(world: World, person: Person) -> None:
    token = world.outbox.token(person.login)
    password = world.passwords[person]
    world.call(None, "POST", f"/password-resets/{token}",
               {"password": password, "password_confirmation": password})


def operator_and_auditor(world: World) -> None:
    staff_member(world, OPERATOR, [roles.OPERATOR])
    staff_member(world, AUDITOR, [roles.AUDITOR])


def clinic_with_two_sites(world: World) -> None:
    """The operator pre-registers the clinic with its sites Centro and Barra; each site
    finishes its own registration from the invitation e-mailed to it (003)."""
    def pre_register() -> dict:
        made = world.call(OPERATOR, "POST", "/providers", {
            "document": CLINIC_CENTRO.document, "legal_name": CLINIC_CENTRO.name,
            "email": CLINIC_CENTRO.login,
            "sites": [{"name": "Sorriso Carioca – Centro", "email": CLINIC_CENTRO.login},
                      {"name": "Sorriso Carioca – Barra", "email": CLINIC_BARRA.login}]})
        return {"id": made["id"]}
    world.ledger.once("provider:clinic", pre_register)
    for site in (CLINIC_CENTRO, CLINIC_BARRA):
        world.ledger.once(f"registration:{site.key}",
                          lambda site=site: register(world, site, {"provider_type": "clinic"}))
    world.ledger.once("profile:clinic", lambda: complete_profile(world, CLINIC_CENTRO, "clinic", {
        "address": {"street": "Rua da Assembleia", "number": "10", "complement": "sala 1201",
                    "district": "Centro", "city": "Rio de Janeiro", "state": "RJ",
                    "postal_code": "20011-000"},
        "phones": ["(21) 3479-1200", "(21) 99876-5432"],
        "opening_hours": "Segunda a sexta, 8h às 19h; sábado, 8h às 12h",
        "description": "Clínica odontológica com duas unidades: Centro e Barra da Tijuca. "
                       "Clínica geral, endodontia e ortodontia."}))


def dentist_with_profile_and_images(world: World) -> None:
    """An individual dentist (CPF) with a complete studio profile and two images (003)."""
    world.ledger.once("provider:dentist", lambda: {"id": world.call(
        OPERATOR, "POST", "/providers", {"document": DENTIST.document,
                                         "legal_name": DENTIST.name,
                                         "email": DENTIST.login})["id"]})
    world.ledger.once("registration:dentist", lambda: register(
        world, DENTIST, {"provider_type": "dentist", "sex": "female"}))
    world.ledger.once("profile:dentist", lambda: complete_profile(world, DENTIST, "dentist", {
        "address": {"street": "Avenida Nossa Senhora de Copacabana", "number": "680",
                    "complement": "consultório 704", "district": "Copacabana",
                    "city": "Rio de Janeiro", "state": "RJ", "postal_code": "22050-001"},
        "phones": ["(21) 2255-3311"],
        "opening_hours": "Terça a sábado, 9h às 18h",
        "description": "Consultório de odontologia estética e implantes. "
                       "Atendimento com hora marcada."}))
    for n, colours in enumerate((((32, 120, 180), (220, 240, 250)),
                                 ((250, 250, 245), (120, 190, 170)))):
        world.ledger.once(f"image:dentist:{n}", lambda n=n, colours=colours: world.api.upload(
            f"/providers/{world.id_of('provider:dentist')}/images", f"consultorio-{n + 1}.png",
            png(320, 200, *colours), "image/png", as_=world.as_(DENTIST)))


def register(world: World, site: Person, fields: dict) -> dict:
    token = world.outbox.token(site.login)
    password = world.passwords[site]
    made = world.call(None, "POST", f"/registrations/{token}", {
        **fields, "password": password, "password_confirmation": password,
        "accepted_terms": True})
    return {"id": made["account"]["id"]}


def complete_profile(world: World, provider: Person, step: str, profile: dict) -> dict:
    """Address and phone first: a provider submits requests and takes bookings only once its
    profile is complete."""
    world.call(provider, "PATCH", f"/providers/{world.id_of(f'provider:{step}')}/profile",
               profile)
    missing = world.call(provider, "GET", "/me").get("missing_profile", [])
    if missing:
        raise RuntimeError(f"{provider.name}'s profile still lacks {', '.join(missing)}")
    return {"id": world.id_of(f"provider:{step}")}


def secretaries(world: World) -> None:
    """Two secretaries register themselves (000)."""
    for person in (SOFIA, BEATRIZ):
        world.ledger.once(f"secretary:{person.key}", lambda person=person: {"id": world.call(
            None, "POST", "/secretaries", {
                "cpf": person.document, "email": person.login, "email_confirmation": person.login,
                "name": person.name, "sex": "female", "password": world.passwords[person],
                "password_confirmation": world.passwords[person], "accepted_terms": True})["id"]})


def sofia_works_for_both_providers(world: World) -> None:
    """The clinic and the dentist each invite Sofia with ``authorizations`` and ``billing``;
    she accepts both for an indefinite time (000)."""
    granted = [roles.AUTHORIZATIONS, roles.BILLING]
    for provider, step in ((CLINIC_CENTRO, "clinic"), (DENTIST, "dentist")):
        invitation = invite(world, provider, step, SOFIA, granted)
        world.ledger.once(f"relationship:sofia:{step}", lambda invitation=invitation: {
            "id": world.call(SOFIA, "POST", f"/invitations/{invitation['id']}/accept",
                             {"until": None})["id"]})


def invite(world: World, provider: Person, step: str, secretary: Person,
           granted: list[str]) -> dict:
    """``provider`` (``step``: ``clinic`` or ``dentist``) invites ``secretary`` (once)."""
    return world.ledger.once(f"invitation:{secretary.key}:{step}", lambda: {"id": world.call(
        provider, "POST", f"/providers/{world.id_of(f'provider:{step}')}/invitations",
        {"secretary_id": world.id_of(f"secretary:{secretary.key}"), "roles": granted})["id"]})


def beatriz_is_invited(world: World) -> None:
    """The dentist invites Beatriz for her commercial profile; the invitation waits for her."""
    invite(world, DENTIST, "dentist", BEATRIZ, [roles.COMMERCIAL])


def citizens(world: World) -> None:
    """Two citizens register themselves (002, 003)."""
    for person in (CARLA, DAVI):
        world.ledger.once(f"citizen:{person.key}", lambda person=person: {"id": world.call(
            None, "POST", "/citizens", {
                "cpf": person.document, "email": person.login, "name": person.name,
                "password": world.passwords[person],
                "password_confirmation": world.passwords[person], "accepted_terms": True})["id"]})


def bulletin_with_a_document(world: World) -> None:
    """The operator publishes a bulletin to dentists and clinics with a PDF attached; it lands
    in each provider's inbox (000)."""
    def publish() -> dict:
        document = world.api.upload("/uploads", "tabela-de-procedimentos-2027.pdf",
                                    pdf("Tabela de procedimentos odontologicos 2027"),
                                    "application/pdf", as_=world.as_(OPERATOR))
        made = world.call(OPERATOR, "POST", "/bulletins", {
            "title": "Nova tabela de procedimentos odontológicos",
            "body": "A partir do próximo mês vale a nova tabela de procedimentos. "
                    "Confira os códigos e os valores no documento anexo.",
            "provider_types": ["clinic", "dentist"], "attachment_ids": [document["id"]]})
        return {"id": made["id"]}
    world.ledger.once("bulletin", publish)
