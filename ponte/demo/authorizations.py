"""The dental authorization desk of manual 001, and the money of manual 003: Sofia sends
requests for the clinic and the dentist; they are authorized at once, wait for audit (one of
them overdue), are authorized in part, denied, and appealed; the operator pays an invoice and
answers an inquiry."""
from __future__ import annotations

from ponte.demo.accounts import AUDITOR, DENTIST, OPERATOR, SOFIA, cpf
from ponte.demo.files import pdf
from ponte.demo.world import World

DEMAND = {"demand_group": "rede_credenciada_movimentacoes",
          "demand_type": "odontologia_solic_proced_ambulatoriais"}
CONSULTATION, RESIN_2F, TELERADIOGRAPHY = "81000065", "85100200", "81000405"
ROOT_CANAL_1, ROOT_CANAL_2, CROWN = "85200034", "85200026", "85400211"
IMPACTED_EXTRACTION, ORTHODONTICS, DENTURE = "82000417", "87000016", "85400475"
PATIENTS = {
    "joana": {"cpf": cpf("214365879"), "card_number": "090216100", "name": "Joana Pereira"},
    "marcos": {"cpf": cpf("864213579"), "card_number": "090216207", "name": "Marcos Lima"},
    "lucia": {"cpf": cpf("975318642"), "card_number": "090216314", "name": "Lúcia Ramos"},
}
CLINIC_PROFESSIONAL = cpf("123456789")


def send(world: World, step: str, provider: str, patient: str, observations: str,
         items: list[dict], attach: str | None = None, draft: bool = False) -> dict:
    """Sofia sends (or keeps as a draft) a request for ``provider`` (``clinic``/``dentist``)."""
    def make() -> dict:
        attachment_ids = [world.api.upload("/uploads", f"{attach}.pdf", pdf(attach),
                                           "application/pdf", as_=world.as_(SOFIA))["id"]
                          ] if attach else []
        dentist = provider == "dentist"
        made = world.call(SOFIA, "POST", "/authorization-requests", {
            **DEMAND, "provider_id": world.id_of(f"provider:{provider}"),
            "contact": {"name": SOFIA.name, "phone": "(21) 2255-3311" if dentist
                        else "(21) 3479-1200", "email": SOFIA.login},
            "professional_document": DENTIST.document if dentist else CLINIC_PROFESSIONAL,
            "beneficiary": PATIENTS[patient], "observations": observations, "items": items,
            "attachment_ids": attachment_ids, "draft": draft})
        return {"id": made["id"], "number": made["number"], "status": made["status"],
                "items": [item["id"] for item in made["items"]]}
    return world.ledger.once(step, make)


def decide(world: World, step: str, outcome: str, justification: str | None = None,
           authorized: list[bool] | None = None) -> None:
    """The auditor decides ``step``'s request, per item when ``authorized`` is given (001)."""
    body: dict = {"outcome": outcome}
    if justification:
        body["justification"] = justification
    if authorized is not None:
        items = world.ledger[step]["items"]
        body["items"] = [{"item_id": item_id, "authorized": ok}
                         for item_id, ok in zip(items, authorized, strict=True)]
    world.ledger.once(f"{step}:decided", lambda: world.call(
        AUDITOR, "POST", f"/authorization-requests/{world.id_of(step)}/decision", body)["status"])


def last_weeks_requests(world: World) -> None:
    """Sent last week: a consultation authorized at once, a root canal still waiting for the
    auditor (past its due day: the overdue one), a root canal with a crown authorized in part,
    an orthodontic appliance denied, and a denture denied (appealed today)."""
    send(world, "request:authorized_at_once", "clinic", "joana", "Avaliação e restauração do 36.",
         [{"procedure_code": CONSULTATION, "quantity": 1},
          {"procedure_code": RESIN_2F, "quantity": 1, "tooth": 36, "faces": ["O", "M"]}])
    send(world, "request:overdue", "clinic", "marcos", "Dor espontânea no 46; pulpite.",
         [{"procedure_code": ROOT_CANAL_1, "quantity": 1, "tooth": 46}], attach="raio-x-46")
    send(world, "request:partially_authorized", "clinic", "lucia", "Tratamento do 26 com coroa.",
         [{"procedure_code": ROOT_CANAL_2, "quantity": 1, "tooth": 26},
          {"procedure_code": CROWN, "quantity": 1, "tooth": 26}], attach="raio-x-26")
    decide(world, "request:partially_authorized", "partially_authorized",
           "A coroa só após o controle radiográfico do tratamento endodôntico.", [True, False])
    send(world, "request:denied", "dentist", "joana", "Correção de apinhamento superior.",
         [{"procedure_code": ORTHODONTICS, "quantity": 1, "region": "AS"}])
    decide(world, "request:denied", "denied",
           "Beneficiária em período de carência para ortodontia.")
    send(world, "request:appealed", "dentist", "lucia", "Prótese total superior.",
         [{"procedure_code": DENTURE, "quantity": 1, "region": "AS"}])
    decide(world, "request:appealed", "denied", "Falta a radiografia panorâmica.")


def todays_requests(world: World) -> None:
    """Sent today: an extraction waiting for audit, a teleradiography the auditor authorized,
    the denture appealed with the missing radiograph, a crown cancelled by Sofia, and a draft
    not sent yet."""
    send(world, "request:awaiting_audit", "clinic", "marcos", "Terceiro molar incluso.",
         [{"procedure_code": IMPACTED_EXTRACTION, "quantity": 1, "tooth": 38}],
         attach="panoramica")
    send(world, "request:authorized_by_audit", "dentist", "joana", "Planejamento ortodôntico.",
         [{"procedure_code": TELERADIOGRAPHY, "quantity": 1}])
    decide(world, "request:authorized_by_audit", "authorized")
    world.ledger.once("request:appealed:appeal", lambda: world.call(
        SOFIA, "POST", f"/authorization-requests/{world.id_of('request:appealed')}/appeal",
        {"justification": "Segue a radiografia panorâmica solicitada."})["status"])
    send(world, "request:cancelled", "dentist", "marcos", "Coroa no 14.",
         [{"procedure_code": CROWN, "quantity": 1, "tooth": 14}])
    world.ledger.once("request:cancelled:cancel", lambda: world.call(
        SOFIA, "POST", f"/authorization-requests/{world.id_of('request:cancelled')}/cancel",
        {"reason": "O paciente preferiu adiar o tratamento."})["status"])
    send(world, "request:draft", "clinic", "lucia", "Limpeza e flúor.",
         [{"procedure_code": "84000139", "quantity": 1},
          {"procedure_code": "84000198", "quantity": 1}], draft=True)


def payment_and_inquiry(world: World) -> None:
    """The operator pays the clinic's invoice for the authorized consultation; Sofia asks about
    a difference in the amount and the operator answers (003)."""
    clinic = world.id_of("provider:clinic")
    request = world.id_of("request:authorized_at_once")
    world.ledger.once("payment", lambda: {"id": world.call(OPERATOR, "POST", "/payments", {
        "provider_id": clinic, "request_id": request,
        "beneficiary": PATIENTS["joana"],
        "invoice": {"number": "NF-2026-0042", "issued_on": world.today.isoformat(),
                    "amount": "350.00"},
        "amount_paid": "332.50", "paid_on": world.today.isoformat()})["id"]})
    world.ledger.once("inquiry", lambda: {"id": world.call(SOFIA, "POST", "/inquiries", {
        "provider_id": clinic, "subject": "authorizations_payments", "request_id": request,
        "message": "O pagamento da NF-2026-0042 veio R$ 17,50 menor. Podem explicar?"})["id"]})


def inquiry_answered(world: World) -> None:
    world.ledger.once("inquiry:answer", lambda: world.call(
        OPERATOR, "POST", f"/inquiries/{world.id_of('inquiry')}/messages",
        {"message": "A diferença é a retenção de ISS (5%), conforme o contrato."})["id"])

