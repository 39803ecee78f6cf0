"""The people a fuzzing run acts as, made through the HTTP API the way the e2e tests make them,
and a little of everything for them to act on (so links from lists reach real objects):
a provider with a request awaiting audit and a draft, a secretary holding every role and one
holding none, a citizen with a service request and an appointment, an operator, an auditor, a
manager and an attendant of an institution with a published service, and the admin."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ponte.roles import PROVIDER_ROLES
from tests.e2e.test_attendance import World, answers
from tests.stack import new_cpf

API = "/api/v1"
ROOT_CANAL, CONSULTATION = "85200034", "81000065"  # the first needs an auditor's review


def _request_body(items: list[dict], **extra) -> dict:
    return {"demand_group": "rede_credenciada_movimentacoes",
            "demand_type": "odontologia_solic_proced_ambulatoriais",
            "contact": {"name": "Regina Recepção", "phone": "(21) 3479-1200",
                        "email": "recepcao@sorriso.test"},
            "professional_document": new_cpf(11),
            "beneficiary": {"cpf": new_cpf(22), "card_number": "090216100",
                            "name": "Bruno Beneficiário"},
            "items": items, **extra}


def _ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, f"{answer.status_code} {answer.text}"
    return answer.json() if answer.content else {}


def identities(stack) -> tuple[dict[str, str], dict[str, str]]:
    """Caller name → bearer token, with something in the system for each to act on; and the
    ids of the provider, the institution and its published service."""
    client, world = stack.client, World(stack.client, stack.mail)
    provider = world.provider()
    institution = world.institution("Secretaria de Saúde Fuzz")
    manager = world.manager_of(institution)
    attendant = world.attendant_of(institution, manager)
    service = world.published_service(institution, manager)
    citizen = world.citizen()
    secretary = world.secretary_of(provider, sorted(PROVIDER_ROLES))
    bare_secretary = world.secretary_of(provider, ["commercial"])
    operator, auditor = world.staff(["operator"]), world.staff(["auditor"])

    for token in (provider["token"], secretary["token"]):
        _ok(client.post(f"{API}/authorization-requests", token=token, json=_request_body(
            [{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 36}])), 201)
        _ok(client.post(f"{API}/authorization-requests", token=token, json=_request_body(
            [{"procedure_code": CONSULTATION, "quantity": 1}], draft=True)), 201)
    _ok(client.post(f"{API}/inquiries", token=provider["token"], json={
        "subject": "authorizations_payments", "message": "Quando recebo?"}), 201)
    request = _ok(client.post(f"{API}/services/{service['id']}/requests", token=citizen["token"],
                              json={"answers": answers()}), 201)
    _ok(client.post(f"{API}/service-requests/{request['id']}/start-analysis",
                    token=attendant["token"]))
    start = (datetime.now(UTC) + timedelta(days=7)).replace(
        hour=13, minute=0, second=0, microsecond=0)
    _ok(client.post(f"{API}/providers/{provider['id']}/appointments", token=citizen["token"],
                    json={"starts_at": start.isoformat().replace("+00:00", "Z"),
                          "notes": f"Consulta {uuid.uuid4().hex[:4]}"}), 201)
    places = {"provider": provider["id"], "institution": institution["id"],
              "service": service["id"]}
    return {"provider": provider["token"], "secretary": secretary["token"],
            "secretary-commercial": bare_secretary["token"], "citizen": citizen["token"],
            "operator": operator["token"], "auditor": auditor["token"],
            "manager": manager["token"], "attendant": attendant["token"],
            "admin": world.admin,
            "citizen-signing-out": client.token(citizen["email"], citizen["password"])}, places
