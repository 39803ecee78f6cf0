"""The citizen-service desk of manual 002: an institution, its manager and two attendants, a
published service with a typed form and a checklist, a draft one, and citizens' requests in
every state of their way, from submitted to concluded and rated."""
from __future__ import annotations

from typing import Any

from ponte import roles
from ponte.demo.accounts import ADMIN, ANA, BRUNO, CARLA, DAVI, MANAGER, Person
from ponte.demo.files import pdf
from ponte.demo.network import staff_member
from ponte.demo.world import World

PUBLISHED = {
    "name": "Segunda via de carteira de vacinação",
    "description": "Emissão da segunda via da carteira de vacinação a partir dos registros da "
                   "rede municipal.",
    "audience": "Cidadãos vacinados na rede municipal",
    "requirements": ["Documento de identidade com foto", "CPF"],
    "steps": [{"title": "Documentos conferidos"}, {"title": "Registros de vacinação localizados"},
              {"title": "Carteira emitida"}],
    "form_fields": [
        {"name": "cpf", "label": "CPF", "type": "cpf", "required": True},
        {"name": "email", "label": "E-mail para contato", "type": "email", "required": True},
        {"name": "birth", "label": "Data de nascimento", "type": "date", "required": True},
        {"name": "copies", "label": "Número de vias", "type": "number", "required": False},
        {"name": "unit", "label": "Unidade de retirada", "type": "choice", "required": True,
         "choices": ["Centro", "Tijuca", "Barra"]},
        {"name": "notes", "label": "Observações", "type": "text", "required": False}],
}
DRAFT = {
    "name": "Agendamento de vacinação domiciliar",
    "description": "Vacinação em casa para pessoas acamadas.",
    "audience": "Pessoas com mobilidade reduzida",
    "requirements": ["Laudo médico"],
    "steps": [{"title": "Laudo conferido"}, {"title": "Visita agendada"}],
    "form_fields": [{"name": "address", "label": "Endereço", "type": "text", "required": True}],
}


def institution_with_manager(world: World) -> None:
    """The administrator creates the institution and makes Márcia its manager (002)."""
    staff_member(world, MANAGER, [roles.MANAGER])
    world.ledger.once("institution", lambda: {"id": world.call(
        ADMIN, "POST", "/institutions",
        {"name": "Secretaria Municipal de Saúde", "acronym": "SMS"})["id"]})
    world.ledger.once("institution:manager", lambda: world.call(
        ADMIN, "POST", f"/institutions/{world.id_of('institution')}/managers",
        {"account_id": world.id_of("staff:manager")}))


def two_attendants(world: World) -> None:
    """Two servants ask for attendant access and the manager approves both (002)."""
    for person in (ANA, BRUNO):
        staff_member(world, person, [roles.SERVANT])
        asked = world.ledger.once(f"attendant:{person.key}:asked", lambda person=person: {
            "id": world.call(person, "POST",
                             f"/institutions/{world.id_of('institution')}/attendant-requests",
                             {"message": "Lotada no atendimento ao cidadão."})["id"]})
        world.ledger.once(f"attendant:{person.key}", lambda asked=asked: world.call(
            MANAGER, "POST", f"/attendant-requests/{asked['id']}/approve")["status"])


def services(world: World) -> None:
    """One service published with its form and checklist; another still a draft (002)."""
    base = f"/institutions/{world.id_of('institution')}/services"
    def drafted() -> dict:
        made = world.call(MANAGER, "POST", base, PUBLISHED)
        return {"id": made["id"], "steps": [step["id"] for step in made["steps"]]}
    world.ledger.once("service:published", drafted)
    world.ledger.once("service:published:publish", lambda: world.call(
        MANAGER, "POST", f"/services/{world.id_of('service:published')}/publish")["status"])
    world.ledger.once("service:draft", lambda: {"id": world.call(MANAGER, "POST", base,
                                                                 DRAFT)["id"]})


def ask(world: World, step: str, citizen: Person, notes: str) -> None:
    """A citizen fills in the published service's form, with a document attached."""
    def submit() -> dict:
        upload = world.api.upload("/uploads", "identidade.pdf",
                                  pdf(f"Documento de {citizen.name}"), "application/pdf",
                                  as_=world.as_(citizen))
        made = world.call(citizen, "POST",
                          f"/services/{world.id_of('service:published')}/requests", {
                              "answers": {"cpf": citizen.document, "email": citizen.login,
                                          "birth": "1988-03-14", "copies": 1, "unit": "Centro",
                                          "notes": notes},
                              "attachment_ids": [upload["id"]]})
        return {"id": made["id"], "protocol": made["protocol"]}
    world.ledger.once(step, submit)


def act(world: World, person: Person, request: str, action: str, body: Any = None,
        method: str = "POST") -> None:
    """``person`` does ``action`` on ``request`` (once: each action is a step of its own)."""
    def done() -> None:
        world.call(person, method, f"/service-requests/{world.id_of(request)}/{action}", body)
    world.ledger.once(f"{request}:{action}", done)


def tick(world: World, request: str, answers: list[bool]) -> None:
    """Ana answers the checklist's steps, in order."""
    steps = world.ledger["service:published"]["steps"]
    act(world, ANA, request, "checklist", {"answers": dict(zip(steps, answers, strict=True))},
        method="PUT")


def concluded_and_rated(world: World) -> None:
    """Carla's request goes all the way: Ana analyses, approves it to herself, ticks every step,
    writes to her and concludes; Carla rates it and Bruno approves the comment (002)."""
    request = "service-request:concluded"
    ask(world, request, CARLA, "Perdi a carteira numa mudança.")
    act(world, ANA, request, "start-analysis")
    act(world, ANA, request, "approve", {"attendant_id": world.id_of("staff:ana")})
    tick(world, request, [True, True, True])
    act(world, ANA, request, "follow-ups",
        {"message": "Sua carteira está pronta para retirada na unidade Centro."})
    act(world, ANA, request, "conclude", {"note": "Segunda via entregue à cidadã."})
    rating = world.ledger.once(f"{request}:rating", lambda: {"id": world.call(
        CARLA, "POST", f"/service-requests/{world.id_of(request)}/rating",
        {"score": 5, "comment": "Atendimento rápido e atencioso."})["id"]})
    world.ledger.once(f"{request}:rating:moderated", lambda: world.call(
        BRUNO, "POST", f"/ratings/{rating['id']}/moderate", {"approved": True})["status"])


def rejected(world: World) -> None:
    """Davi's request lacks a legible document: Bruno rejects it with a justification (002)."""
    request = "service-request:rejected"
    ask(world, request, DAVI, "Preciso para uma viagem.")
    act(world, BRUNO, request, "start-analysis")
    act(world, BRUNO, request, "reject", {"justification": "O documento anexado está ilegível; "
                                          "envie uma nova solicitação com uma foto nítida."})


def in_progress_with_a_meeting_today(world: World) -> None:
    """Carla's second request is in progress with Ana: two steps ticked, a follow-up, and a
    video meeting at 14:00 today, on the institution's agenda (002)."""
    request = "service-request:in_progress"
    ask(world, request, CARLA, "Segunda via para a minha filha.")
    act(world, ANA, request, "start-analysis")
    act(world, ANA, request, "approve", {"attendant_id": world.id_of("staff:ana")})
    tick(world, request, [True, True, False])
    act(world, ANA, request, "follow-ups",
        {"message": "Localizamos os registros; falta confirmar uma dose de 2019."})
    act(world, ANA, request, "meetings", {"starts_at": world.at(world.real_day(), 14),
                                          "duration_minutes": 30,
                                          "subject": "Conferência dos registros de vacinação"})


def fresh_requests(world: World) -> None:
    """Today Davi asks again: one request waits in the queue, another is in analysis with
    Bruno (002)."""
    ask(world, "service-request:submitted", DAVI, "Nova solicitação com o documento legível.")
    ask(world, "service-request:in_analysis", DAVI, "Via adicional para o trabalho.")
    act(world, BRUNO, "service-request:in_analysis", "start-analysis")
