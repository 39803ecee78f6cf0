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
        world.ledger.once(f"attendant:{person.key}", lambda person=person: approve_attendant(
            world, person))


def approve_attendant(world: World, servant: Person) -> dict:
    asked = world.call(servant, "POST",
                       f"/institutions/{world.id_of('institution')}/attendant-requests",
                       {"message": "Lotada no atendimento ao cidadão."})
    world.call(MANAGER, "POST", f"/attendant-requests/{asked['id']}/approve")
    return {"id": asked["id"]}


def services(world: World) -> None:
    """One service published with its form and checklist; another still a draft (002)."""
    base = f"/institutions/{world.id_of('institution')}/services"

    def published() -> dict:
        made = world.call(MANAGER, "POST", base, PUBLISHED)
        world.call(MANAGER, "POST", f"/services/{made['id']}/publish")
        return {"id": made["id"], "steps": [step["id"] for step in made["steps"]]}
    world.ledger.once("service:published", published)
    world.ledger.once("service:draft", lambda: {"id": world.call(MANAGER, "POST", base,
                                                                 DRAFT)["id"]})


def ask(world: World, citizen: Person, notes: str) -> dict:
    """A citizen fills in the published service's form, with a document attached."""
    upload = world.api.upload("/uploads", "identidade.pdf", pdf(f"Documento de {citizen.name}"),
                              "application/pdf", as_=world.as_(citizen))
    made = world.call(citizen, "POST", f"/services/{world.id_of('service:published')}/requests", {
        "answers": {"cpf": citizen.document, "email": citizen.login, "birth": "1988-03-14",
                    "copies": 1, "unit": "Centro", "notes": notes},
        "attachment_ids": [upload["id"]]})
    return {"id": made["id"], "protocol": made["protocol"]}


def act(world: World, attendant: Person, request: str, action: str, body: Any = None) -> None:
    world.call(attendant, "POST", f"/service-requests/{world.id_of(request)}/{action}", body)


def checklist(world: World, request: str, answers: list[bool]) -> None:
    steps = world.ledger["service:published"]["steps"]
    world.call(ANA, "PUT", f"/service-requests/{world.id_of(request)}/checklist",
               {"answers": dict(zip(steps, answers))})


def concluded_and_rated(world: World) -> None:
    """Carla's request goes all the way: Ana analyses, approves it to herself, ticks every step,
    writes to her and concludes; Carla rates it and Bruno approves the comment (002)."""
    step = "service-request:concluded"

    def handled() -> None:
        act(world, ANA, step, "start-analysis")
        act(world, ANA, step, "approve", {"attendant_id": world.id_of("staff:ana")})
        checklist(world, step, [True, True, True])
        act(world, ANA, step, "follow-ups",
            {"message": "Sua carteira está pronta para retirada na unidade Centro."})
        act(world, ANA, step, "conclude", {"note": "Segunda via entregue à cidadã."})

    def rated() -> dict:
        rating = world.call(CARLA, "POST", f"/service-requests/{world.id_of(step)}/rating",
                            {"score": 5, "comment": "Atendimento rápido e atencioso."})
        world.call(BRUNO, "POST", f"/ratings/{rating['id']}/moderate", {"approved": True})
        return {"id": rating["id"]}

    world.ledger.once(step, lambda: ask(world, CARLA, "Perdi a carteira numa mudança."))
    world.ledger.once(f"{step}:handled", handled)
    world.ledger.once(f"{step}:rated", rated)


def rejected(world: World) -> None:
    """Davi's request lacks a document: Bruno rejects it with a justification (002)."""
    step = "service-request:rejected"

    def handled() -> None:
        act(world, BRUNO, step, "start-analysis")
        act(world, BRUNO, step, "reject", {"justification": "O documento anexado está "
                                           "ilegível; envie uma nova solicitação com uma foto "
                                           "nítida."})

    world.ledger.once(step, lambda: ask(world, DAVI, "Preciso para uma viagem."))
    world.ledger.once(f"{step}:handled", handled)


def in_progress_with_a_meeting_today(world: World) -> None:
    """Carla's second request is in progress with Ana: two steps ticked, a follow-up, and a
    video meeting at 14:00 today, on the institution's agenda (002)."""
    step = "service-request:in_progress"

    def handled() -> None:
        act(world, ANA, step, "start-analysis")
        act(world, ANA, step, "approve", {"attendant_id": world.id_of("staff:ana")})
        checklist(world, step, [True, True, False])
        act(world, ANA, step, "follow-ups",
            {"message": "Localizamos os registros; falta confirmar uma dose de 2019."})
        act(world, ANA, step, "meetings", {"starts_at": world.at(world.real_day(), 14),
                                           "duration_minutes": 30,
                                           "subject": "Conferência dos registros de vacinação"})

    world.ledger.once(step, lambda: ask(world, CARLA, "Segunda via para a minha filha."))
    world.ledger.once(f"{step}:handled", handled)


def fresh_requests(world: World) -> None:
    """Today Davi asks again: one request waits in the queue, another is in analysis with
    Bruno (002)."""
    world.ledger.once("service-request:submitted",
                      lambda: ask(world, DAVI, "Nova solicitação com o documento legível."))
    step = "service-request:in_analysis"
    world.ledger.once(step, lambda: ask(world, DAVI, "Via adicional para o trabalho."))
    world.ledger.once(f"{step}:done", lambda: act(world, BRUNO, step, "start-analysis"))
