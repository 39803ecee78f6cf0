"""Attendance through HTTP on both runtimes, with every account made through the real API: the
admin creates an institution and designates a manager, the manager drafts and publishes a
service, servants become attendants, a citizen submits a request that goes through analysis,
approval, checklist, follow-ups, a meeting and conclusion, then rates it; the agenda comes back
as JSON and CSV; citizens book appointments at providers."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj, new_cpf, register_citizen, wait_until

API = "/api/v1"
PASSWORD = "Senha#2026"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class World:
    """People made the way people are made: staff by the admin with a password set from the
    e-mailed link, citizens and providers by their own registration."""

    def __init__(self, client, mail) -> None:
        self.client, self.mail = client, mail
        self.admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)

    def staff(self, roles: list[str], name: str = "Servidora Pública") -> dict:
        email = f"staff-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = self.client.post(f"{API}/staff", token=self.admin,
                                  json={"email": email, "name": name, "roles": roles})
        assert answer.status_code == 201, answer.text
        token = self.mail.token(email)
        done = self.client.post(f"{API}/password-resets/{token}",
                                json={"password": PASSWORD, "password_confirmation": PASSWORD})
        assert done.status_code == 204, done.text
        session = self.client.login(email, PASSWORD)
        return {"id": session["account"]["id"], "name": name, "email": email,
                "token": session["access_token"]}

    def citizen(self) -> dict:
        return register_citizen(self.client)

    def institution(self, name: str = "Secretaria de Saúde") -> dict:
        answer = self.client.post(f"{API}/institutions", token=self.admin,
                                  json={"name": f"{name} {uuid.uuid4().hex[:4]}",
                                        "acronym": "SESAU"})
        assert answer.status_code == 201, answer.text
        return answer.json()

    def manager_of(self, institution: dict) -> dict:
        manager = self.staff(["manager"], "Márcia Gestora")
        answer = self.client.post(f"{API}/institutions/{institution['id']}/managers",
                                  token=self.admin, json={"account_id": manager["id"]})
        assert answer.status_code == 201, answer.text
        return manager

    def attendant_of(self, institution: dict, manager: dict, name: str = "Ana Atendente") -> dict:
        servant = self.staff(["servant"], name)
        asked = self.client.post(f"{API}/institutions/{institution['id']}/attendant-requests",
                                 token=servant["token"], json={"message": "Lotada no setor"})
        assert asked.status_code == 201, asked.text
        approved = self.client.post(f"{API}/attendant-requests/{asked.json()['id']}/approve",
                                    token=manager["token"])
        assert approved.status_code == 200, approved.text
        return servant

    def published_service(self, institution: dict, manager: dict, **overrides) -> dict:
        body = {"name": f"Segunda via de documento {uuid.uuid4().hex[:4]}",
                "description": "Emissão de segunda via", "audience": "Cidadãos",
                "requirements": ["Documento de identidade"],
                "steps": [{"title": "Documentos conferidos"}, {"title": "Dados conferidos"}],
                "form_fields": [
                    {"name": "cpf", "label": "CPF", "type": "cpf", "required": True},
                    {"name": "email", "label": "E-mail", "type": "email", "required": True},
                    {"name": "birth", "label": "Nascimento", "type": "date", "required": False},
                    {"name": "copies", "label": "Cópias", "type": "number", "required": False},
                    {"name": "kind", "label": "Tipo", "type": "choice", "required": True,
                     "choices": ["RG", "CNH"]},
                    {"name": "notes", "label": "Observações", "type": "text"}],
                **overrides}
        created = self.client.post(f"{API}/institutions/{institution['id']}/services",
                                   token=manager["token"], json=body)
        assert created.status_code == 201, created.text
        published = self.client.post(f"{API}/services/{created.json()['id']}/publish",
                                     token=manager["token"])
        assert published.status_code == 200, published.text
        return published.json()

    def secretary_of(self, provider: dict, roles: list[str]) -> dict:
        email = f"sec-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = self.client.post(f"{API}/secretaries", json={
            "cpf": new_cpf(), "email": email, "email_confirmation": email,
            "name": "Priscila Souza", "sex": "female", "password": PASSWORD,
            "password_confirmation": PASSWORD, "accepted_terms": True})
        assert answer.status_code == 201, answer.text
        secretary = {"id": answer.json()["id"], "token": self.client.token(email, PASSWORD)}
        invited = self.client.post(f"{API}/providers/{provider['id']}/invitations",
                                   token=provider["token"],
                                   json={"secretary_id": secretary["id"], "roles": roles})
        assert invited.status_code == 201, invited.text
        accepted = self.client.post(f"{API}/invitations/{invited.json()['id']}/accept",
                                    token=secretary["token"], json={"until": None})
        assert accepted.status_code == 200, accepted.text
        return secretary

    def provider(self, complete: bool = True) -> dict:
        """A registered provider; ``complete`` fills the profile data it needs to take
        bookings (seed 000 §3.2)."""
        operator = self.staff(["operator"], "Olívia Operadora")
        email = f"provider-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = self.client.post(f"{API}/providers", token=operator["token"], json={
            "document": new_cnpj(), "legal_name": "Clínica Sorriso", "email": email})
        assert answer.status_code == 201, answer.text
        token = self.mail.token(email)
        done = self.client.post(f"{API}/registrations/{token}", json={
            "provider_type": "clinic", "password": PASSWORD, "password_confirmation": PASSWORD,
            "accepted_terms": True})
        assert done.status_code == 201, done.text
        provider = {"id": answer.json()["id"], "email": email,
                    "token": self.client.token(email, PASSWORD)}
        if complete:
            self.complete_profile(provider)
        return provider

    def complete_profile(self, provider: dict) -> None:
        done = self.client.patch(f"{API}/providers/{provider['id']}/profile",
                                 token=provider["token"], json=PROFILE)
        assert done.status_code == 200, done.text


PROFILE = {"address": {"street": "Rua das Flores", "number": "100", "district": "Centro",
                       "city": "Porto Velho", "state": "RO", "postal_code": "76801-000"},
           "phones": ["+55 69 3216-0000"]}


def answers(**overrides) -> dict:
    return {"cpf": new_cpf(), "email": "cida@example.org", "birth": "1990-05-17",
            "copies": 2, "kind": "RG", **overrides}


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


@pytest.fixture(scope="module")
def office(world):
    """An institution with a manager, two attendants and a published service."""
    institution = world.institution()
    manager = world.manager_of(institution)
    ana = world.attendant_of(institution, manager, "Ana Atendente")
    bruno = world.attendant_of(institution, manager, "Bruno Atendente")
    service = world.published_service(institution, manager)
    return {"institution": institution, "manager": manager, "ana": ana, "bruno": bruno,
            "service": service}


def submit(client, office, citizen, **kwargs):
    body = {"answers": answers(), **kwargs}
    return client.post(f"{API}/services/{office['service']['id']}/requests",
                       token=citizen["token"], json=body)


def test_a_request_goes_from_submission_to_a_moderated_rating(client, world, office):
    citizen = world.citizen()
    ana, bruno, manager = office["ana"], office["bruno"], office["manager"]

    upload = client.post(f"{API}/uploads", token=citizen["token"],
                         files={"file": ("rg.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert upload.status_code == 201, upload.text
    submitted = submit(client, office, citizen, attachment_ids=[upload.json()["id"]])
    assert submitted.status_code == 201, submitted.text
    request = submitted.json()
    assert request["status"] == "submitted"
    assert len(request["protocol"]) == 14 and request["protocol"].isdigit()
    assert request["protocol"][:8] == datetime.now(SAO_PAULO).strftime("%Y%m%d")
    assert request["attachments"][0]["id"] == upload.json()["id"]
    assert [c["answer"] for c in request["checklist"]] == [None, None]
    assert request["overdue"] is False and request["due_at"].endswith("Z")
    link = f"{API}/service-requests/{request['id']}"

    mine = client.get(f"{API}/me/service-requests", token=citizen["token"]).json()["items"]
    assert [r["id"] for r in mine] == [request["id"]]
    queue = client.get(f"{API}/institutions/{office['institution']['id']}/service-requests",
                       token=ana["token"], params={"status": "submitted"}).json()["items"]
    assert request["id"] in [r["id"] for r in queue]
    assert client.get(link, token=manager["token"]).status_code == 200
    # the attachment is served to the institution's attendants, not to strangers
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=ana["token"]).status_code == 200
    stranger = world.citizen()
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=stranger["token"]).status_code == 404
    assert client.get(link, token=stranger["token"]).status_code == 404

    # wrong transitions
    assert client.post(f"{link}/conclude", token=ana["token"],
                       json={"note": "cedo"}).status_code == 409
    assert client.post(f"{link}/approve", token=ana["token"],
                       json={"attendant_id": bruno["id"]}).status_code == 409
    assert client.post(f"{link}/start-analysis", token=manager["token"]).status_code == 403

    started = client.post(f"{link}/start-analysis", token=ana["token"])
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "in_analysis"
    assert started.json()["id"] == request["id"] and "checklist" in started.json()
    not_attendant = client.post(f"{link}/approve", token=ana["token"],
                                json={"attendant_id": manager["id"]})
    assert not_attendant.status_code == 422
    assert "attendant_id" in not_attendant.json()["errors"]
    approved = client.post(f"{link}/approve", token=ana["token"],
                           json={"attendant_id": bruno["id"]})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "in_progress"
    assert approved.json()["assigned_attendant"] == {"id": bruno["id"],
                                                     "name": "Bruno Atendente"}

    steps = [c["step_id"] for c in approved.json()["checklist"]]
    assert client.put(f"{link}/checklist", token=ana["token"],
                      json={"answers": {steps[0]: True}}).status_code == 403
    checklist = client.put(f"{link}/checklist", token=bruno["token"],
                           json={"answers": {steps[0]: True, steps[1]: False}})
    assert checklist.status_code == 200, checklist.text
    assert [(c["step_id"], c["answer"]) for c in checklist.json()] == [
        (steps[0], True), (steps[1], False)]
    unknown = client.put(f"{link}/checklist", token=bruno["token"],
                         json={"answers": {"nope": True}})
    assert unknown.status_code == 422 and "answers.nope" in unknown.json()["errors"]

    first = client.post(f"{link}/follow-ups", token=bruno["token"],
                        json={"message": "Recebemos seus documentos."})
    assert first.status_code == 201, first.text
    reply = client.post(f"{link}/follow-ups", token=citizen["token"],
                        json={"message": "Obrigada!"})
    assert reply.status_code == 201, reply.text
    assert client.post(f"{link}/follow-ups", token=ana["token"],
                       json={"message": "oi"}).status_code == 403
    assert client.post(f"{link}/follow-ups", token=citizen["token"],
                       json={"message": "  "}).status_code == 422
    history = client.get(f"{link}/follow-ups", token=citizen["token"]).json()["items"]
    assert [(h["message"], h["author"]["side"]) for h in history] == [
        ("Recebemos seus documentos.", "attendant"), ("Obrigada!", "citizen")]

    past = client.post(f"{link}/meetings", token=bruno["token"], json={
        "starts_at": iso(datetime.now(UTC) - timedelta(hours=1)), "subject": "x"})
    assert past.status_code == 422 and "starts_at" in past.json()["errors"]
    when = datetime.now(UTC) + timedelta(days=2)
    meeting = client.post(f"{link}/meetings", token=bruno["token"], json={
        "starts_at": iso(when), "duration_minutes": 45, "subject": "Conferência de dados"})
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["join_url"].startswith("https://meet.jit.si/")
    assert len(meeting.json()["join_url"].rsplit("/", 1)[1]) >= 32
    meetings = client.get(f"{link}/meetings", token=citizen["token"]).json()["items"]
    assert [m["id"] for m in meetings] == [meeting.json()["id"]]

    assert client.post(f"{link}/rating", token=citizen["token"],
                       json={"score": 5}).status_code == 409
    assert client.post(f"{link}/conclude", token=bruno["token"],
                       json={"note": " "}).status_code == 422
    concluded = client.post(f"{link}/conclude", token=bruno["token"],
                            json={"note": "Documento emitido."})
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "concluded"
    assert concluded.json()["conclusion_note"] == "Documento emitido."

    rated = client.post(f"{link}/rating", token=citizen["token"],
                        json={"score": 4, "comment": "Muito bom"})
    assert rated.status_code == 201, rated.text
    assert rated.json()["status"] == "pending"
    assert client.post(f"{link}/rating", token=citizen["token"],
                       json={"score": 5}).status_code == 409
    public = client.get(f"{API}/services/{office['service']['id']}/ratings").json()
    assert public["count"] == 0 and public["items"] == []
    pending = client.get(f"{API}/institutions/{office['institution']['id']}/ratings",
                         token=ana["token"], params={"status": "pending"}).json()["items"]
    assert rated.json()["id"] in [r["id"] for r in pending]
    moderated = client.post(f"{API}/ratings/{rated.json()['id']}/moderate", token=ana["token"],
                            json={"approved": True})
    assert moderated.status_code == 200, moderated.text
    assert moderated.json()["status"] == "approved"
    assert client.post(f"{API}/ratings/{rated.json()['id']}/moderate", token=ana["token"],
                       json={"approved": False}).status_code == 409
    public = client.get(f"{API}/services/{office['service']['id']}/ratings").json()
    assert public["count"] == 1 and public["average"] == 4
    assert [i["comment"] for i in public["items"]] == ["Muito bom"]

    # the agenda of the meeting's local day, as JSON and as CSV
    day = when.astimezone(SAO_PAULO).date().isoformat()
    agenda = client.get(f"{API}/institutions/{office['institution']['id']}/agenda",
                        token=manager["token"], params={"date": day})
    assert agenda.status_code == 200, agenda.text
    assert agenda.json()["date"] == day
    item = next(i for i in agenda.json()["items"] if i["protocol"] == request["protocol"])
    assert item == {**item, "kind": "meeting", "subject": "Conferência de dados",
                    "citizen_name": "Cida Cidadã", "starts_at": meeting.json()["starts_at"]}
    for kwargs in ({"params": {"date": day, "format": "csv"}},
                   {"params": {"date": day}, "headers": {"Accept": "text/csv"}}):
        answer = client.get(f"{API}/institutions/{office['institution']['id']}/agenda",
                            token=ana["token"], **kwargs)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
        assert rows[0] == ["date", "time", "kind", "subject", "protocol", "citizen_name",
                           "starts_at"]
        assert [day, when.astimezone(SAO_PAULO).strftime("%H:%M"), "meeting",
                "Conferência de dados", request["protocol"], "Cida Cidadã",
                meeting.json()["starts_at"]] in rows[1:]


def test_a_rejection_needs_a_justification_the_citizen_sees(client, world, office):
    citizen = world.citizen()
    request = submit(client, office, citizen).json()
    link = f"{API}/service-requests/{request['id']}"
    assert client.post(f"{link}/start-analysis", token=office["ana"]["token"]).status_code == 200
    assert client.post(f"{link}/start-analysis", token=office["ana"]["token"]).status_code == 409
    blank = client.post(f"{link}/reject", token=office["ana"]["token"],
                        json={"justification": "   "})
    assert blank.status_code == 422 and "justification" in blank.json()["errors"]
    rejected = client.post(f"{link}/reject", token=office["ana"]["token"],
                           json={"justification": "Documento ilegível"})
    assert rejected.status_code == 200, rejected.text
    seen = client.get(link, token=citizen["token"]).json()
    assert seen["status"] == "rejected"
    assert seen["rejection_justification"] == "Documento ilegível"
    assert client.post(f"{link}/rating", token=citizen["token"],
                       json={"score": 1}).status_code == 409


def test_answers_are_checked_against_the_form(client, world, office):
    citizen = world.citizen()
    bad = submit(client, office, citizen, answers={
        "cpf": "123.456.789-00", "email": "not-an-email", "birth": "1990-13-45",
        "copies": "many", "kind": "Passaporte", "extra": "x"})
    assert bad.status_code == 422, bad.text
    assert set(bad.json()["errors"]) == {"answers.cpf", "answers.email", "answers.birth",
                                         "answers.copies", "answers.kind", "answers.extra"}
    missing = submit(client, office, citizen, answers={"birth": "1990-01-01"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"answers.cpf", "answers.email", "answers.kind"}
    assert client.get(f"{API}/me/service-requests",
                      token=citizen["token"]).json()["items"] == []
    foreign = submit(client, office, citizen, attachment_ids=[str(uuid.uuid4())])
    assert foreign.status_code == 422 and "attachment_ids.0" in foreign.json()["errors"]


def test_a_retried_submission_with_the_same_key_creates_one_request(client, world, office):
    citizen = world.citizen()
    body = {"answers": answers()}
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    url = f"{API}/services/{office['service']['id']}/requests"
    first = client.post(url, token=citizen["token"], json=body, headers=dict(headers))
    again = client.post(url, token=citizen["token"], json=body, headers=dict(headers))
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["protocol"] == again.json()["protocol"]
    other = client.post(url, token=citizen["token"], json={"answers": answers()},
                        headers=dict(headers))
    assert other.status_code == 409
    mine = client.get(f"{API}/me/service-requests", token=citizen["token"]).json()["items"]
    assert len(mine) == 1


def test_the_catalogue_shows_citizens_only_published_services(client, world, office):
    manager, institution = office["manager"], office["institution"]
    draft = client.post(f"{API}/institutions/{institution['id']}/services",
                        token=manager["token"], json={
                            "name": "Alvará de funcionamento", "description": "Licença",
                            "audience": "Empresas", "requirements": [],
                            "steps": [{"title": "Vistoria"}],
                            "form_fields": [{"name": "cnpj", "label": "CNPJ", "type": "text",
                                             "required": True}]})
    assert draft.status_code == 201, draft.text
    service = draft.json()
    assert service["status"] == "draft" and service["steps"][0]["id"]
    assert service["due_business_days"] == 5
    url = f"{API}/services/{service['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url, token=manager["token"]).status_code == 200
    assert client.get(url, token=office["ana"]["token"]).status_code == 404
    listed = client.get(f"{API}/services", params={"institution_id": institution["id"]}).json()
    assert service["id"] not in [s["id"] for s in listed["items"]]
    citizen = world.citizen()
    assert client.post(f"{url}/requests", token=citizen["token"],
                       json={"answers": {"cnpj": "x"}}).status_code == 404

    edited = client.patch(url, token=manager["token"], json={
        "steps": [{"id": service["steps"][0]["id"], "title": "Vistoria no local"},
                  {"title": "Taxa paga"}], "due_business_days": 10})
    assert edited.status_code == 200, edited.text
    assert edited.json()["steps"][0] == {"id": service["steps"][0]["id"],
                                         "title": "Vistoria no local"}
    assert edited.json()["due_business_days"] == 10
    assert client.post(f"{url}/unpublish", token=manager["token"]).status_code == 409
    published = client.post(f"{url}/publish", token=manager["token"])
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.post(f"{url}/publish", token=manager["token"]).status_code == 409
    assert client.get(url).status_code == 200
    for q in ("alvará", "ALVARA de", "licença"):
        found = client.get(f"{API}/services", params={"q": q}).json()["items"]
        assert service["id"] in [s["id"] for s in found], q
    assert client.get(f"{API}/services", params={"q": "100%"}).json()["items"] == []
    unpublished = client.post(f"{url}/unpublish", token=manager["token"])
    assert unpublished.status_code == 200 and unpublished.json()["status"] == "unpublished"
    assert client.get(url).status_code == 404

    bad = client.post(f"{API}/institutions/{institution['id']}/services",
                      token=manager["token"], json={
                          "name": "x", "form_fields": [{"name": "a", "label": "A",
                                                        "type": "choice"}]})
    assert bad.status_code == 422 and "form_fields.0.choices" in bad.json()["errors"]
    other = world.institution("Detran")
    assert client.post(f"{API}/institutions/{other['id']}/services", token=manager["token"],
                       json={"name": "x"}).status_code == 403


def test_managers_are_staff_with_the_manager_role(client, world):
    institution = world.institution()
    servant = world.staff(["servant"])
    not_manager = client.post(f"{API}/institutions/{institution['id']}/managers",
                              token=world.admin, json={"account_id": servant["id"]})
    assert not_manager.status_code == 422 and "account_id" in not_manager.json()["errors"]
    unknown = client.post(f"{API}/institutions/{institution['id']}/managers",
                          token=world.admin, json={"account_id": str(uuid.uuid4())})
    assert unknown.status_code == 422
    manager = world.staff(["manager"], "Gil Gestor")
    added = client.post(f"{API}/institutions/{institution['id']}/managers", token=world.admin,
                        json={"account_id": manager["id"]})
    assert added.status_code == 201, added.text
    assert {"id": manager["id"], "name": "Gil Gestor"} in added.json()["managers"]
    assert client.post(f"{API}/institutions/{institution['id']}/managers", token=world.admin,
                       json={"account_id": manager["id"]}).status_code == 409
    assert client.post(f"{API}/institutions", token=manager["token"],
                       json={"name": "x", "acronym": "x"}).status_code == 403
    listed = client.get(f"{API}/institutions", token=servant["token"], params={"limit": 200})
    assert listed.status_code == 200
    assert institution["id"] in [i["id"] for i in listed.json()["items"]]


def test_attendant_access_is_decided_by_the_institutions_managers(client, world, office):
    institution, manager = office["institution"], office["manager"]
    servant = world.staff(["servant"], "Carla Servidora")
    url = f"{API}/institutions/{institution['id']}/attendant-requests"
    asked = client.post(url, token=servant["token"], json={})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    assert client.post(url, token=servant["token"], json={}).status_code == 409
    pending = client.get(url, token=manager["token"], params={"status": "pending"}).json()
    assert asked.json()["id"] in [r["id"] for r in pending["items"]]
    assert client.get(url, token=servant["token"]).status_code == 403
    # not yet an attendant: the queue is closed to her
    assert client.get(f"{API}/institutions/{institution['id']}/service-requests",
                      token=servant["token"]).status_code == 403
    decide = f"{API}/attendant-requests/{asked.json()['id']}"
    other_manager = world.manager_of(world.institution("Outra"))
    assert client.post(f"{decide}/approve",
                       token=other_manager["token"]).status_code in (403, 404)
    assert client.post(f"{decide}/reject", token=manager["token"],
                       json={"reason": " "}).status_code == 422
    rejected = client.post(f"{decide}/reject", token=manager["token"],
                           json={"reason": "Não lotada nesta instituição"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "Não lotada nesta instituição"
    assert client.post(f"{decide}/approve", token=manager["token"]).status_code == 409
    again = client.post(url, token=servant["token"], json={"message": "Agora sim"})
    assert again.status_code == 201


def test_attendants_of_one_institution_never_see_anothers_requests(client, world, office):
    other = world.institution("Procon")
    other_manager = world.manager_of(other)
    outsider = world.attendant_of(other, other_manager, "Otto de Fora")
    citizen = world.citizen()
    request = submit(client, office, citizen).json()
    link = f"{API}/service-requests/{request['id']}"
    assert client.get(link, token=outsider["token"]).status_code == 404
    assert client.post(f"{link}/start-analysis", token=outsider["token"]).status_code == 404
    assert client.get(f"{API}/institutions/{office['institution']['id']}/service-requests",
                      token=outsider["token"]).status_code == 403
    assert client.get(f"{API}/institutions/{office['institution']['id']}/agenda",
                      token=outsider["token"]).status_code == 403
    queue = client.get(f"{API}/institutions/{other['id']}/service-requests",
                       token=outsider["token"]).json()["items"]
    assert request["id"] not in [r["id"] for r in queue]


def test_a_citizen_books_at_a_provider_whose_side_sees_and_cancels_it(client, world):
    provider = world.provider()
    citizen = world.citizen()
    when = datetime.now(UTC) + timedelta(days=3)
    upload = client.post(f"{API}/uploads", token=citizen["token"],
                         files={"file": ("exame.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    booked = client.post(f"{API}/providers/{provider['id']}/appointments",
                         token=citizen["token"], json={
                             "starts_at": iso(when), "notes": "Dor de dente",
                             "attachment_ids": [upload.json()["id"]]})
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["status"] == "booked" and appointment["provider_id"] == provider["id"]
    assert appointment["citizen"] == {"id": citizen["id"], "name": "Cida Cidadã"}
    assert client.post(f"{API}/providers/{provider['id']}/appointments",
                       token=citizen["token"], json={
                           "starts_at": iso(datetime.now(UTC) - timedelta(hours=1))}
                       ).status_code == 422
    assert client.post(f"{API}/providers/{uuid.uuid4()}/appointments", token=citizen["token"],
                       json={"starts_at": iso(when)}).status_code == 404

    day = when.astimezone(SAO_PAULO).date()
    url = f"{API}/providers/{provider['id']}/appointments"
    inside = client.get(url, token=provider["token"],
                        params={"from": day.isoformat(), "to": day.isoformat()})
    assert inside.status_code == 200, inside.text
    assert [a["id"] for a in inside.json()["items"]] == [appointment["id"]]
    before = client.get(url, token=provider["token"],
                        params={"from": (day - timedelta(days=5)).isoformat(),
                                "to": (day - timedelta(days=1)).isoformat()})
    assert before.json()["items"] == []
    assert client.get(url, token=citizen["token"]).status_code == 403
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=provider["token"]).status_code == 200
    mine = client.get(f"{API}/me/appointments", token=citizen["token"]).json()["items"]
    assert [a["id"] for a in mine] == [appointment["id"]]

    stranger = world.citizen()
    assert client.post(f"{API}/appointments/{appointment['id']}/cancel",
                       token=stranger["token"]).status_code == 404

    # secretaries: with authorizations they act for the provider; with billing only, not
    billing = world.secretary_of(provider, ["billing"])
    assert client.get(url, token=billing["token"]).status_code == 403
    assert client.get(f"{API}/appointments/{appointment['id']}",
                      token=billing["token"]).status_code == 404
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=billing["token"]).status_code == 404
    secretary = world.secretary_of(provider, ["authorizations"])
    seen = client.get(url, token=secretary["token"])
    assert seen.status_code == 200 and [a["id"] for a in seen.json()["items"]] == [
        appointment["id"]]
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=secretary["token"]).status_code == 200
    cancelled = client.post(f"{API}/appointments/{appointment['id']}/cancel",
                            token=secretary["token"])
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "provider"
    assert client.get(f"{API}/appointments/{appointment['id']}",
                      token=citizen["token"]).json()["status"] == "cancelled"
    assert client.post(f"{API}/appointments/{appointment['id']}/cancel",
                       token=citizen["token"]).status_code == 409
    own = client.post(f"{API}/providers/{provider['id']}/appointments", token=citizen["token"],
                      json={"starts_at": iso(when)}).json()
    by_citizen = client.post(f"{API}/appointments/{own['id']}/cancel", token=citizen["token"])
    assert by_citizen.status_code == 200 and by_citizen.json()["cancelled_by"] == "citizen"


def test_the_agenda_lists_meetings_and_appointments_of_the_day_and_csv_cells_cannot_run(
        client, world, office):
    institution = office["institution"]
    citizen = world.citizen()
    # a day of its own, far ahead, so other tests' meetings stay out
    day = (datetime.now(SAO_PAULO) + timedelta(days=40)).date()
    at = datetime(day.year, day.month, day.day, 10, 30, tzinfo=SAO_PAULO)
    request = submit(client, office, citizen).json()
    link = f"{API}/service-requests/{request['id']}"
    client.post(f"{link}/start-analysis", token=office["ana"]["token"])
    client.post(f"{link}/approve", token=office["ana"]["token"],
                json={"attendant_id": office["ana"]["id"]})
    meeting = client.post(f"{link}/meetings", token=office["ana"]["token"], json={
        "starts_at": iso(at), "subject": '=HYPERLINK("http://evil.example","x")'})
    assert meeting.status_code == 201, meeting.text
    booked = client.post(f"{API}/institutions/{institution['id']}/appointments",
                         token=citizen["token"],
                         json={"starts_at": iso(at - timedelta(hours=2)),
                               "notes": "Atendimento presencial"})
    assert booked.status_code == 201, booked.text
    assert booked.json()["institution"]["id"] == institution["id"]
    assert booked.json()["provider"] is None
    late = client.post(f"{API}/institutions/{institution['id']}/appointments",
                       token=citizen["token"],
                       json={"starts_at": iso(at.replace(hour=23, minute=59))})
    assert late.status_code == 201
    next_day = client.post(f"{API}/institutions/{institution['id']}/appointments",
                           token=citizen["token"],
                           json={"starts_at": iso((at + timedelta(days=1)).replace(hour=0,
                                                                                   minute=0))})
    assert next_day.status_code == 201

    listed = client.get(f"{API}/institutions/{institution['id']}/appointments",
                        token=office["bruno"]["token"],
                        params={"from": day.isoformat(), "to": day.isoformat()}).json()["items"]
    assert [a["id"] for a in listed] == [booked.json()["id"], late.json()["id"]]

    agenda = client.get(f"{API}/institutions/{institution['id']}/agenda",
                        token=office["bruno"]["token"], params={"date": day.isoformat()}).json()
    assert [(i["kind"], i["starts_at"]) for i in agenda["items"]] == [
        ("appointment", booked.json()["starts_at"]), ("meeting", meeting.json()["starts_at"]),
        ("appointment", late.json()["starts_at"])]
    assert agenda["items"][0]["citizen_name"] == "Cida Cidadã"
    assert agenda["items"][0]["protocol"] is None
    # UTC instants, and the local clock colleagues read (a late appointment stays on its day)
    assert agenda["time_zone"] == "America/Sao_Paulo"
    assert [i["local_time"] for i in agenda["items"]] == ["08:30", "10:30", "23:59"]
    assert agenda["items"][1]["starts_at"] == iso(at)

    answer = client.get(f"{API}/institutions/{institution['id']}/agenda",
                        token=office["manager"]["token"],
                        params={"date": day.isoformat(), "format": "csv"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
    assert [r["kind"] for r in rows] == ["appointment", "meeting", "appointment"]
    assert rows[1] == {"date": day.isoformat(), "time": "10:30", "kind": "meeting",
                       "subject": '\'=HYPERLINK("http://evil.example","x")',
                       "protocol": request["protocol"], "citizen_name": "Cida Cidadã",
                       "starts_at": meeting.json()["starts_at"]}
    assert rows[0]["protocol"] == ""

    cancelled = client.post(f"{API}/appointments/{late.json()['id']}/cancel",
                            token=office["bruno"]["token"])
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_by"] == "institution"
    agenda = client.get(f"{API}/institutions/{institution['id']}/agenda",
                        token=office["bruno"]["token"], params={"date": day.isoformat()}).json()
    assert len(agenda["items"]) == 2


def test_odd_input_is_a_4xx_never_a_500(client, world, office):
    citizen = world.citizen()
    staff = office["manager"]["token"]
    institution = office["institution"]["id"]
    for day in ("9999-12-31", "0001-01-01", "2026-02-30", "hoje"):
        answer = client.get(f"{API}/institutions/{institution}/agenda", token=staff,
                            params={"date": day})
        assert answer.status_code == 422, (day, answer.text)
    for when in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "2026-12-01T10:00:00"):
        answer = client.post(f"{API}/institutions/{institution}/appointments",
                             token=citizen["token"], json={"starts_at": when})
        assert answer.status_code == 422, (when, answer.text)
    huge = submit(client, office, citizen, answers=answers(copies="1e5000"))
    assert huge.status_code == 422 and "answers.copies" in huge.json()["errors"]
    for path in ("service-requests", "appointments", "ratings"):
        answer = client.post(f"{API}/{path}/{'x' * 300}/"
                             f"{'cancel' if path == 'appointments' else 'moderate'}",
                             token=staff, json={"approved": True})
        assert answer.status_code in (404, 405, 422), (path, answer.text)
    cursor = client.get(f"{API}/services", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert cursor.status_code == 400 and "cursor" in cursor.json()["errors"]
    assert client.get(f"{API}/services/{uuid.uuid4()}").status_code == 404
    assert client.get(f"{API}/services", params={"limit": 201}).status_code == 422


def test_a_new_name_in_identity_reaches_the_attendants(client, world, office):
    citizen = world.citizen()
    request = submit(client, office, citizen).json()
    renamed = client.patch(f"{API}/me", token=citizen["token"], json={"name": "Cida Souza"})
    assert renamed.status_code == 200, renamed.text
    link = f"{API}/service-requests/{request['id']}"
    wait_until(lambda: client.get(link, token=office["ana"]["token"]).json()["citizen"]["name"]
               == "Cida Souza", 15, 0.2, what="the citizen's new name")


def test_managers_find_their_drafts_among_their_institutions_services(client, world, office):
    institution, manager = office["institution"], office["manager"]
    url = f"{API}/institutions/{institution['id']}/services"
    draft = client.post(url, token=manager["token"], json={"name": "Rascunho da Márcia"})
    assert draft.status_code == 201, draft.text
    listed = client.get(url, token=manager["token"], params={"limit": 200})
    assert listed.status_code == 200, listed.text
    statuses = {s["id"]: s["status"] for s in listed.json()["items"]}
    assert statuses[draft.json()["id"]] == "draft"
    assert statuses[office["service"]["id"]] == "published"
    drafts = client.get(url, token=world.admin, params={"status": "draft", "limit": 200})
    assert drafts.status_code == 200, drafts.text
    assert {s["status"] for s in drafts.json()["items"]} == {"draft"}
    assert draft.json()["id"] in [s["id"] for s in drafts.json()["items"]]
    assert client.get(url, token=manager["token"],
                      params={"status": "gone"}).status_code == 422
    assert client.get(url, token=office["ana"]["token"]).status_code == 403
    other = world.manager_of(world.institution("Detran"))
    assert client.get(url, token=other["token"]).status_code == 403


def test_a_request_shows_its_rating_and_its_own_attendant_may_not_moderate_it(
        client, world, office):
    citizen, ana, bruno = world.citizen(), office["ana"], office["bruno"]
    request = submit(client, office, citizen).json()
    link = f"{API}/service-requests/{request['id']}"
    client.post(f"{link}/start-analysis", token=ana["token"])
    client.post(f"{link}/approve", token=ana["token"], json={"attendant_id": bruno["id"]})
    concluded = client.post(f"{link}/conclude", token=bruno["token"], json={"note": "Feito"})
    assert concluded.json()["rating"] is None
    rated = client.post(f"{link}/rating", token=citizen["token"],
                        json={"score": 2, "comment": "Meu CPF é 123"})
    assert rated.status_code == 201, rated.text
    own = client.post(f"{API}/ratings/{rated.json()['id']}/moderate", token=bruno["token"],
                      json={"approved": True})
    assert own.status_code == 403, own.text
    rejected = client.post(f"{API}/ratings/{rated.json()['id']}/moderate", token=ana["token"],
                           json={"approved": False, "reason": "dados pessoais"})
    assert rejected.status_code == 200, rejected.text
    for who in (citizen, bruno, office["manager"]):
        seen = client.get(link, token=who["token"])
        assert seen.json()["rating"] == {"score": 2, "comment": "Meu CPF é 123",
                                         "status": "rejected"}, seen.text


def test_every_field_error_comes_back_in_one_answer(client, world, office):
    """A body with several independent mistakes to each create and update endpoint: every
    field is named in the first answer."""
    citizen, ana, bruno, manager = world.citizen(), office["ana"], office["bruno"], \
        office["manager"]
    institution = office["institution"]["id"]
    request = submit(client, office, citizen).json()
    link = f"{API}/service-requests/{request['id']}"
    foreign = client.post(f"{API}/uploads", token=world.citizen()["token"], files={
        "file": ("rg.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}).json()["id"]
    past = iso(datetime.now(UTC) - timedelta(hours=1))
    long = "x" * 10001
    cases = [
        (world.admin, "POST", f"{API}/institutions", {"name": " ", "acronym": long},
         {"name", "acronym"}),
        (world.admin, "POST", f"{API}/institutions/{institution}/managers",
         {"account_id": "nobody"}, {"account_id"}),
        (manager["token"], "POST", f"{API}/institutions/{institution}/services",
         {"name": " ", "due_business_days": 0, "requirements": [""],
          "steps": [{"title": " "}],
          "form_fields": [{"name": "1x", "label": " ", "type": "colour"}]},
         {"name", "due_business_days", "requirements.0", "steps.0.title",
          "form_fields.0.name", "form_fields.0.label", "form_fields.0.type"}),
        # the rules only the service knows, all at once too
        (manager["token"], "POST", f"{API}/institutions/{institution}/services",
         {"name": "Serviço", "steps": [{"id": "nope", "title": "Passo"}],
          "form_fields": [{"name": "a", "label": "A", "type": "text"},
                          {"name": "a", "label": "B", "type": "text"}]},
         {"steps.0.id", "form_fields.1.name"}),
        (manager["token"], "PATCH", f"{API}/services/{office['service']['id']}",
         {"name": " ", "description": long, "due_business_days": 366},
         {"name", "description", "due_business_days"}),
        (manager["token"], "PATCH", f"{API}/services/{office['service']['id']}",
         {"steps": [{"id": "nope", "title": "Passo"}],
          "form_fields": [{"name": "a", "label": "A", "type": "text", "choices": ["x"]}]},
         {"steps.0.id", "form_fields.0.choices"}),
        (world.staff(["servant"])["token"], "POST",
         f"{API}/institutions/{institution}/attendant-requests", {"message": long},
         {"message"}),
        (manager["token"], "POST", f"{API}/attendant-requests/{uuid.uuid4()}/reject",
         {"reason": " "}, {"reason"}),
        (citizen["token"], "POST", f"{API}/services/{office['service']['id']}/requests",
         {"answers": {"cpf": "123", "email": "no", "extra": 1}, "attachment_ids": [foreign]},
         {"answers.cpf", "answers.email", "answers.kind", "answers.extra",
          "attachment_ids.0"}),
        (ana["token"], "POST", f"{link}/approve", {"attendant_id": "nobody"},
         {"attendant_id"}),
        (ana["token"], "POST", f"{link}/reject", {"justification": " "}, {"justification"}),
        (bruno["token"], "PUT", f"{link}/checklist", {"answers": {"a": "yes", "b": 1}},
         {"answers.a.value", "answers.b.value"}),
        (citizen["token"], "POST", f"{link}/follow-ups",
         {"message": " ", "attachment_ids": ["x" * 65]}, {"message", "attachment_ids.0"}),
        (bruno["token"], "POST", f"{link}/meetings",
         {"starts_at": "soon", "duration_minutes": 1, "subject": " "},
         {"starts_at", "duration_minutes", "subject"}),
        (bruno["token"], "POST", f"{link}/conclude", {"note": " "}, {"note"}),
        (citizen["token"], "POST", f"{link}/rating", {"score": 9, "comment": long},
         {"score", "comment"}),
        (ana["token"], "POST", f"{API}/ratings/{uuid.uuid4()}/moderate",
         {"approved": "yes", "reason": long}, {"approved", "reason"}),
        (citizen["token"], "POST", f"{API}/institutions/{institution}/appointments",
         {"starts_at": "soon", "notes": long, "attachment_ids": [""] * 21},
         {"starts_at", "notes", "attachment_ids"}),
        (citizen["token"], "POST", f"{API}/institutions/{institution}/appointments",
         {"starts_at": past, "attachment_ids": [foreign]}, {"starts_at", "attachment_ids.0"}),
        (citizen["token"], "POST", f"{API}/providers/{uuid.uuid4()}/appointments",
         {"starts_at": "2026-12-01T10:00:00", "notes": long, "attachment_ids": [7]},
         {"starts_at", "notes", "attachment_ids.0"}),
        # a shape the edge refuses and a rule only the service knows, in the same answer
        (manager["token"], "POST", f"{API}/institutions/{institution}/services",
         {"name": " ", "steps": [{"id": "nope", "title": "Passo"}]}, {"name", "steps.0.id"}),
        (manager["token"], "PATCH", f"{API}/services/{office['service']['id']}",
         {"due_business_days": 0,
          "form_fields": [{"name": "a", "label": "A", "type": "text", "choices": ["x"]}]},
         {"due_business_days", "form_fields.0.choices"}),
        (bruno["token"], "PUT", f"{link}/checklist", {"answers": {"a": "yes", "nope": True}},
         {"answers.a.value", "answers.nope"}),
        (bruno["token"], "POST", f"{link}/meetings", {"starts_at": past, "subject": " "},
         {"starts_at", "subject"}),
        (citizen["token"], "POST", f"{API}/services/{office['service']['id']}/requests",
         {"answers": answers(kind=None), "attachment_ids": ["x" * 65]},
         {"answers.kind", "attachment_ids.0"}),
        (citizen["token"], "POST", f"{API}/providers/{uuid.uuid4()}/appointments",
         {"starts_at": past, "notes": long}, {"starts_at", "notes"}),
        (citizen["token"], "POST", f"{API}/institutions/{institution}/appointments",
         {"starts_at": past, "notes": long, "attachment_ids": [foreign]},
         {"starts_at", "notes", "attachment_ids.0"}),
    ]
    wrong = []
    for token, method, url, body, fields in cases:
        answer = client.request(method, url, token=token, json=body)
        got = set(answer.json().get("errors", {})) if answer.status_code == 422 else None
        if got != fields:
            wrong.append(f"{method} {url} {sorted(body)}: {answer.status_code} {got}")
    assert not wrong, "\n".join(wrong)
    mine = client.get(f"{API}/me/service-requests", token=citizen["token"]).json()["items"]
    assert [r["id"] for r in mine] == [request["id"]]
    assert client.get(f"{API}/me/appointments", token=citizen["token"]).json()["items"] == []
    assert client.get(f"{link}/meetings", token=bruno["token"]).json()["items"] == []


def test_a_provider_takes_bookings_once_its_profile_is_complete(client, world):
    provider = world.provider(complete=False)
    citizen = world.citizen()
    url = f"{API}/providers/{provider['id']}/appointments"
    when = iso(datetime.now(UTC) + timedelta(days=3))
    refused = client.post(url, token=citizen["token"], json={"starts_at": when})
    assert refused.status_code == 409, refused.text
    assert "phones" in refused.json()["errors"]["profile"]
    assert client.get(f"{API}/me/appointments", token=citizen["token"]).json()["items"] == []
    world.complete_profile(provider)
    booked = client.post(url, token=citizen["token"], json={"starts_at": when})
    assert booked.status_code == 201, booked.text
