"""The permission matrix (gateway/access_table.py) against the running system: every route of the
gateway × every kind of caller gets the outcome its row says, on real objects of provider A and
institution X made through the API the way people make them.

"Allow" means the route let the caller through: 2xx, or 409/422 because an object is in another
state or a body is refused on its merits (e.g. a wrong current password, a duplicate document).
401, 403 and 404 are refusals and must match the table exactly; any other status (400, 415, 5xx)
fails whatever the table says. Calls that change state either leave things as they were
(same values, duplicates answered 409, wrong passwords answered 422) or spend an object that is
made again for the next caller (a draft submitted, an appointment cancelled, ...).
"""
from __future__ import annotations

import os
import struct
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from gateway.access_table import (
    ACCESS,
    ALLOW,
    ANONYMOUS,
    CALLERS,
    KIND,
    OUTSIDE_MATRIX,
    SECRETARY_A,
    STAFF_ROLES_OF,
    Outcome,
)
from ponte.roles import PROVIDER_ROLES
from tests.conftest import _running
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, complete_profile, new_cnpj, new_cpf, wait_until

API = "/api/v1"
PASSWORD = "Senha#2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONSULTATION, ROOT_CANAL = "81000065", "85200034"  # authorized at once / needs review
BENEFICIARY = new_cpf(22)


def png() -> bytes:
    """A valid 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module", params=["embedded", "distributed"])
def stack(request, tmp_path_factory):
    """The whole system, with rate limits raised: the matrix signs in and asks many times from
    one address, which is not what a rate limit is about."""
    saved = os.environ.get("PONTE_RATE_LIMIT_FACTOR")
    os.environ["PONTE_RATE_LIMIT_FACTOR"] = "1000"
    try:
        running = _running(request.param, tmp_path_factory)
        stack = next(running)
    finally:
        if saved is None:
            os.environ.pop("PONTE_RATE_LIMIT_FACTOR", None)
        else:
            os.environ["PONTE_RATE_LIMIT_FACTOR"] = saved
    yield stack
    next(running, None)


# -- the people and the things -------------------------------------------------------------

class World:
    """Every kind of caller and the objects of provider A and institution X; objects that a
    call spends are made again on demand."""

    def __init__(self, client, mail) -> None:
        self.client, self.mail = client, mail
        self.people: dict[str, dict] = {}
        self.things: dict[str, Any] = {}
        self.makers: dict[str, Callable[[], Any]] = {}
        admin = client.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.people["admin"] = {"id": admin["account"]["id"], "token": admin["access_token"],
                                "login": ADMIN_EMAIL, "password": ADMIN_PASSWORD}

    # http
    def call(self, who: str | None, method: str, path: str, expect: int | None = None,
             **kwargs: Any):
        token = self.people[who]["token"] if who else None
        answer = self.client.request(method, path, token=token, **kwargs)
        if expect is not None:
            assert answer.status_code == expect, f"{method} {path}: {answer.text}"
        return answer

    def token(self, who: str) -> str:
        return self.people[who]["token"]

    def id(self, who: str) -> str:
        return self.people[who]["id"]

    # objects
    def thing(self, name: str) -> Any:
        if name not in self.things:
            self.things[name] = self.makers[name]()
        return self.things[name]

    def spend(self, name: str) -> None:
        self.things.pop(name, None)

    # people
    def _signed_in(self, name: str, login: str, extra: dict | None = None) -> dict:
        session = self.client.login(login, PASSWORD)
        person = {"id": session["account"]["id"], "token": session["access_token"],
                  "login": login, "password": PASSWORD, **(extra or {})}
        self.people[name] = person
        return person

    def staff(self, name: str, roles: list[str]) -> dict:
        email = f"{name.replace('_', '-')}-{uuid.uuid4().hex[:8]}@ponte.test"
        self.call("admin", "POST", f"{API}/staff", 201,
                  json={"email": email, "name": f"Pessoa {name}", "roles": roles})
        link = self.mail.token(email)
        self.call(None, "POST", f"{API}/password-resets/{link}", 204,
                  json={"password": PASSWORD, "password_confirmation": PASSWORD})
        return self._signed_in(name, email)

    def preregister(self, legal_name: str) -> tuple[dict, str]:
        """A provider pre-registered by the operator, and the token of its registration link."""
        email = f"provider-{uuid.uuid4().hex[:8]}@ponte.test"
        answer = self.call("operator", "POST", f"{API}/providers", 201, json={
            "document": new_cnpj(), "legal_name": f"{legal_name} {uuid.uuid4().hex[:4]}",
            "email": email})
        return {**answer.json(), "email": email}, self.mail.token(email)

    def provider(self, name: str, legal_name: str) -> dict:
        pre, link = self.preregister(legal_name)
        self.call(None, "POST", f"{API}/registrations/{link}", 201, json={
            "provider_type": "clinic", "password": PASSWORD, "password_confirmation": PASSWORD,
            "accepted_terms": True})
        person = self._signed_in(name, pre["email"], {"provider_id": pre["id"],
                                                      "document": pre["document"]})
        complete_profile(self.client, pre["id"], person["token"])
        return person

    def secretary(self, name: str) -> dict:
        email = f"{name.replace('_', '-')}-{uuid.uuid4().hex[:8]}@ponte.test"
        cpf = new_cpf()
        self.call(None, "POST", f"{API}/secretaries", 201, json={
            "cpf": cpf, "email": email, "email_confirmation": email, "name": f"Secretária {name}",
            "sex": "female", "password": PASSWORD, "password_confirmation": PASSWORD,
            "accepted_terms": True})
        return self._signed_in(name, email, {"cpf": cpf})

    def relate(self, provider: str, secretary: str, roles: list[str]) -> dict:
        invited = self.call(provider, "POST",
                            f"{API}/providers/{self.people[provider]['provider_id']}/invitations",
                            201, json={"secretary_id": self.id(secretary), "roles": roles})
        return self.call(secretary, "POST", f"{API}/invitations/{invited.json()['id']}/accept",
                         200, json={"until": None}).json()

    def citizen(self, name: str) -> dict:
        email = f"{name}-{uuid.uuid4().hex[:8]}@ponte.test"
        self.call(None, "POST", f"{API}/citizens", 201, json={
            "cpf": new_cpf(), "email": email, "name": "Cida Cidadã", "password": PASSWORD,
            "password_confirmation": PASSWORD, "accepted_terms": True})
        return self._signed_in(name, email)

    def institution(self, name: str) -> dict:
        return self.call("admin", "POST", f"{API}/institutions", 201, json={
            "name": f"{name} {uuid.uuid4().hex[:4]}", "acronym": "SES"}).json()

    def manager(self, name: str, institution: dict) -> None:
        self.staff(name, ["manager"])
        self.call("admin", "POST", f"{API}/institutions/{institution['id']}/managers", 201,
                  json={"account_id": self.id(name)})

    def attendant(self, name: str, institution: dict, manager: str) -> None:
        self.staff(name, ["servant"])
        self.approve(manager, self.ask_access(name, institution))

    def ask_access(self, servant: str, institution: dict) -> dict:
        return self.call(servant, "POST",
                         f"{API}/institutions/{institution['id']}/attendant-requests", 201,
                         json={"message": "Lotada no setor"}).json()

    def approve(self, manager: str, access: dict) -> None:
        self.call(manager, "POST", f"{API}/attendant-requests/{access['id']}/approve", 200)


def build(client, mail) -> World:
    w = World(client, mail)
    w.staff("operator", ["operator"])
    w.staff("auditor", ["auditor"])
    w.staff("servant", ["servant"])
    a = w.provider("provider_a", "Clínica A")
    b = w.provider("provider_b", "Clínica B")
    for role in PROVIDER_ROLES:
        w.secretary(SECRETARY_A[role])
        w.relate("provider_a", SECRETARY_A[role], [role])
    w.secretary("secretary_b")
    w.relate("provider_b", "secretary_b", list(PROVIDER_ROLES))
    w.citizen("citizen")
    x, y = w.institution("Instituição X"), w.institution("Instituição Y")
    w.manager("manager_x", x)
    w.manager("manager_y", y)
    w.attendant("attendant_x", x, "manager_x")
    w.attendant("attendant_y", y, "manager_y")
    w.things.update(provider_a=a, provider_b=b, x=x, y=y)
    _makers(w)
    return w


def _makers(w: World) -> None:
    """How each object is made; ``w.thing(name)`` makes it when first needed or spent."""
    a = w.people["provider_a"]
    a_id = a["provider_id"]
    x = w.things["x"]
    m = w.makers

    def request_body(items: list[dict], **extra: Any) -> dict:
        return {"provider_id": a_id, "demand_group": "rede_credenciada_movimentacoes",
                "demand_type": "odontologia_solic_proced_ambulatoriais",
                "contact": {"name": "Regina", "phone": "(21) 3479-1200",
                            "email": "recepcao@a.test"},
                "professional_document": new_cpf(11), "beneficiary": {"cpf": BENEFICIARY},
                "items": items, **extra}

    def a_request(items: list[dict], **extra: Any) -> dict:
        return w.call("provider_a", "POST", f"{API}/authorization-requests", 201,
                      json=request_body(items, **extra)).json()

    def upload(who: str) -> dict:
        return w.call(who, "POST", f"{API}/uploads", 201,
                      files={"file": ("laudo.pdf", PDF, "application/pdf")}).json()

    def authorized() -> dict:
        attached = upload("provider_a")
        request = a_request([{"procedure_code": CONSULTATION, "quantity": 1}],
                            attachment_ids=[attached["id"]])
        assert request["status"] == "authorized", request
        return {**request, "upload": attached}

    def awaiting() -> dict:
        request = a_request([{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 36}])
        assert request["status"] == "awaiting_audit", request
        return request

    def denied() -> dict:
        request = awaiting()
        return w.call("auditor", "POST", f"{API}/authorization-requests/{request['id']}/decision",
                      200, json={"outcome": "denied", "justification": "Sem laudo."}).json()

    def draft() -> dict:
        return a_request([{"procedure_code": CONSULTATION, "quantity": 1}], draft=True)

    def draft_item() -> tuple[str, str]:
        request = w.thing("draft")
        item = w.call("provider_a", "POST",
                      f"{API}/authorization-requests/{request['id']}/items", 201,
                      json={"procedure_code": CONSULTATION, "quantity": 1}).json()
        return request["id"], item["id"]

    def procedure() -> str:
        code = f"9{uuid.uuid4().int % 10**7:07d}"
        w.call("operator", "POST", f"{API}/procedures", 201,
               json={"code": code, "name": "Procedimento da matriz"})
        return code

    def inquiry() -> dict:
        return w.call("provider_a", "POST", f"{API}/inquiries", 201, json={
            "provider_id": a_id, "subject": "authorizations_payments",
            "message": "Quando sai o pagamento?"}).json()

    def image() -> dict:
        return w.call("provider_a", "POST", f"{API}/providers/{a_id}/images", 201,
                      files={"file": ("fachada.png", png(), "image/png")}).json()

    def invitation_to_b() -> dict:
        return w.call("provider_a", "POST", f"{API}/providers/{a_id}/invitations", 201,
                      json={"secretary_id": w.id("secretary_b"), "roles": ["billing"]}).json()

    def relationship() -> dict:
        name = f"spare_{uuid.uuid4().hex[:6]}"
        w.secretary(name)
        return w.relate("provider_a", name, ["billing"])

    def registration() -> str:
        return w.preregister("Clínica C")[1]

    def reset_link() -> str:
        spare = w.citizen("spare_citizen")
        w.call(None, "POST", f"{API}/password-resets", 202, json={"email": spare["login"]})
        return w.mail.token(spare["login"], "")

    def service(publish: bool = True) -> dict:
        created = w.call("manager_x", "POST", f"{API}/institutions/{x['id']}/services", 201,
                         json={"name": f"Serviço {uuid.uuid4().hex[:4]}",
                               "description": "Segunda via", "audience": "Cidadãos",
                               "requirements": ["RG"], "steps": [{"title": "Conferido"}],
                               "form_fields": [{"name": "nome", "label": "Nome",
                                                "type": "text", "required": True}]}).json()
        if not publish:
            return created
        return w.call("manager_x", "POST", f"{API}/services/{created['id']}/publish",
                      200).json()

    def access_request() -> dict:
        servant = f"spare_servant_{uuid.uuid4().hex[:6]}"
        w.staff(servant, ["servant"])
        return w.ask_access(servant, x)

    def submitted() -> dict:
        return w.call("citizen", "POST", f"{API}/services/{w.thing('service')['id']}/requests",
                      201, json={"answers": {"nome": "Cida"}}).json()

    def in_analysis() -> dict:
        request = submitted()
        return w.call("attendant_x", "POST",
                      f"{API}/service-requests/{request['id']}/start-analysis", 200).json()

    def in_progress() -> dict:
        request = in_analysis()
        return w.call("attendant_x", "POST", f"{API}/service-requests/{request['id']}/approve",
                      200, json={"attendant_id": w.id("attendant_x")}).json()

    def concluded() -> dict:
        request = in_progress()
        return w.call("attendant_x", "POST", f"{API}/service-requests/{request['id']}/conclude",
                      200, json={"note": "Entregue."}).json()

    def rating() -> dict:
        request = concluded()
        return w.call("citizen", "POST", f"{API}/service-requests/{request['id']}/rating", 201,
                      json={"score": 5, "comment": "Ótimo"}).json()

    def appointment() -> dict:
        when = datetime.now(UTC) + timedelta(days=3)
        return w.call("citizen", "POST", f"{API}/providers/{a_id}/appointments", 201,
                      json={"starts_at": iso(when), "notes": "Dor de dente"}).json()

    def notification() -> str:
        w.thing("appointment")  # provider A is told of a booking
        found = wait_until(lambda: w.call("provider_a", "GET", f"{API}/notifications",
                                          200).json()["items"], 20, 0.2,
                           "a notification for provider A")
        return found[0]["id"]

    def email() -> str:
        return w.call("admin", "GET", f"{API}/notifications/emails", 200).json()["items"][0]["id"]

    m.update(notification=notification, email=email)
    m.update(authorized=authorized, awaiting=awaiting, denied=denied, draft=draft,
             draft_item=draft_item, procedure=procedure, inquiry=inquiry, image=image,
             invitation_to_b=invitation_to_b, relationship=relationship,
             registration=registration, reset_link=reset_link, service=service,
             draft_service=lambda: service(publish=False), published_service=service,
             access_request=access_request, submitted=submitted, in_analysis=in_analysis,
             in_progress=in_progress, concluded=concluded, rating=rating,
             appointment=appointment, refresh=lambda: w.client.login(
                 w.people["citizen"]["login"], PASSWORD)["refresh_token"])


# -- how each route is called ---------------------------------------------------------------

@dataclass
class Probe:
    """One route's call for a caller: path and body from the world; ``spends`` names objects a
    successful call used up; ``after`` runs after a successful call; ``fresh_session`` signs
    the caller in anew (the call ends its session)."""

    make: Callable[[World, str], dict]
    spends: tuple[str, ...] = ()
    after: Callable[[World, str, Any], None] | None = None
    fresh_session: bool = False
    extra: dict = field(default_factory=dict)


def P(path: str | Callable[[World], str], *, spends: tuple[str, ...] = (), **options: Any) \
        -> Probe:
    """A probe whose path (and ``json``/``params``/``files``, values or functions of the world)
    do not depend on the caller."""
    after, fresh = options.pop("after", None), options.pop("fresh_session", False)

    def make(w: World, caller: str) -> dict:
        request = {"path": path(w) if callable(path) else path}
        for key, value in options.items():
            request[key] = value(w) if callable(value) else value
        return request
    return Probe(make, spends, after, fresh)


def _a(w: World) -> str:
    return w.people["provider_a"]["provider_id"]


def _end_own_relationship(w: World, caller: str, answer) -> None:
    """B's secretary accepted A's invitation: she ends it at once, a stranger to A again."""
    w.call(caller, "POST", f"{API}/relationships/{answer.json()['id']}/end", 200)


def _keep_refresh(w: World, caller: str, answer) -> None:
    w.things["refresh"] = answer.json()["refresh_token"]


def _sr(name: str, tail: str = "") -> Callable[[World], str]:
    return lambda w: f"{API}/service-requests/{w.thing(name)['id']}{tail}"


def _req(name: str, tail: str = "") -> Callable[[World], str]:
    return lambda w: f"{API}/authorization-requests/{w.thing(name)['id']}{tail}"


def _x(tail: str) -> Callable[[World], str]:
    return lambda w: f"{API}/institutions/{w.things['x']['id']}{tail}"


def _pa(tail: str) -> Callable[[World], str]:
    return lambda w: f"{API}/providers/{_a(w)}{tail}"


WRONG = "Errada#0000"
FUTURE = iso(datetime.now(UTC) + timedelta(days=5))

PROBES: dict[str, Probe] = {
    # identity
    "POST /api/v1/sessions": P(f"{API}/sessions", json=lambda w: {
        "login": w.people["citizen"]["login"], "password": PASSWORD}),
    "POST /api/v1/sessions/refresh": P(f"{API}/sessions/refresh", json=lambda w: {
        "refresh_token": w.thing("refresh")}, after=_keep_refresh, spends=("refresh",)),
    "DELETE /api/v1/sessions/current": P(f"{API}/sessions/current", fresh_session=True),
    "GET /api/v1/me": P(f"{API}/me"),
    "PATCH /api/v1/me": P(f"{API}/me", json={"secondary_email": None}),
    "POST /api/v1/me/email": P(f"{API}/me/email", json={
        "current_password": WRONG, "new_email": "nunca@ponte.test"}),
    "POST /api/v1/me/password": P(f"{API}/me/password", json={
        "current_password": WRONG, "new_password": "Nova#20261",
        "new_password_confirmation": "Nova#20261"}),
    "DELETE /api/v1/me": P(f"{API}/me", json={"current_password": WRONG}),
    "POST /api/v1/secretaries": P(f"{API}/secretaries", json=lambda w: {
        "cpf": w.people["secretary_b"]["cpf"], "email": w.people["secretary_b"]["login"],
        "email_confirmation": w.people["secretary_b"]["login"], "name": "Outra", "sex": "female",
        "password": PASSWORD, "password_confirmation": PASSWORD, "accepted_terms": True}),
    "GET /api/v1/secretaries": P(f"{API}/secretaries", params={"name": "Secretária"}),
    "POST /api/v1/citizens": P(f"{API}/citizens", json=lambda w: {
        "cpf": new_cpf(), "email": w.people["citizen"]["login"], "name": "Outra",
        "password": PASSWORD, "password_confirmation": PASSWORD, "accepted_terms": True}),
    "POST /api/v1/staff": P(f"{API}/staff", json=lambda w: {
        "email": f"novo-{uuid.uuid4().hex[:8]}@ponte.test", "name": "Novo", "roles": ["auditor"]}),
    "POST /api/v1/providers": P(f"{API}/providers", json=lambda w: {
        "document": w.people["provider_a"]["document"], "legal_name": "Duplicada",
        "email": f"dup-{uuid.uuid4().hex[:8]}@ponte.test"}),
    "GET /api/v1/registrations/{token}": P(lambda w: f"{API}/registrations/"
                                                     f"{w.thing('registration')}"),
    "POST /api/v1/registrations/{token}": P(
        lambda w: f"{API}/registrations/{w.thing('registration')}",
        json={"provider_type": "clinic", "password": PASSWORD,
              "password_confirmation": "Outra#2026", "accepted_terms": True}),
    "POST /api/v1/password-resets": P(f"{API}/password-resets", json=lambda w: {
        "email": f"ninguem-{uuid.uuid4().hex[:8]}@ponte.test"}),
    "POST /api/v1/password-resets/{token}": P(
        lambda w: f"{API}/password-resets/{w.thing('reset_link')}",
        json={"password": PASSWORD, "password_confirmation": "Outra#2026"}),
    "GET /api/v1/providers": P(f"{API}/providers", params={"q": "Clínica"}),
    "GET /api/v1/providers/{id}": P(_pa("")),
    "PATCH /api/v1/providers/{id}/profile": P(_pa("/profile"),
                                              json={"description": "Atendimento odontológico"}),
    "POST /api/v1/providers/{id}/images": P(_pa("/images"), files=lambda w: {
        "file": ("fachada.png", png(), "image/png")}),
    "DELETE /api/v1/providers/{id}/images/{image_id}": P(
        lambda w: f"{API}/providers/{_a(w)}/images/{w.thing('image')['id']}", spends=("image",)),
    "GET /api/v1/providers/{id}/images/{image_id}": P(
        lambda w: f"{API}/providers/{_a(w)}/images/{w.thing('image')['id']}"),
    # relationships
    "POST /api/v1/providers/{provider_id}/invitations": P(_pa("/invitations"), json=lambda w: {
        "secretary_id": w.thing("relationship")["secretary_id"], "roles": ["billing"]}),
    "GET /api/v1/providers/{provider_id}/invitations": P(_pa("/invitations")),
    "GET /api/v1/me/invitations": P(f"{API}/me/invitations"),
    "POST /api/v1/invitations/{id}/accept": P(
        lambda w: f"{API}/invitations/{w.thing('invitation_to_b')['id']}/accept",
        json={"until": None}, spends=("invitation_to_b",), after=_end_own_relationship),
    "POST /api/v1/invitations/{id}/decline": P(
        lambda w: f"{API}/invitations/{w.thing('invitation_to_b')['id']}/decline",
        spends=("invitation_to_b",)),
    "GET /api/v1/providers/{provider_id}/relationships": P(_pa("/relationships")),
    "GET /api/v1/me/relationships": P(f"{API}/me/relationships"),
    "PATCH /api/v1/relationships/{id}": P(
        lambda w: f"{API}/relationships/{w.thing('relationship')['id']}",
        json={"roles": ["billing"]}),
    "POST /api/v1/relationships/{id}/end": P(
        lambda w: f"{API}/relationships/{w.thing('relationship')['id']}/end",
        spends=("relationship",)),
    "GET /api/v1/providers/{provider_id}/accreditations": P(_pa("/accreditations")),
    # files
    "POST /api/v1/uploads": P(f"{API}/uploads", files=lambda w: {
        "file": ("laudo.pdf", PDF, "application/pdf")}),
    "GET /api/v1/attachments/{id}": P(
        lambda w: f"{API}/attachments/{w.thing('authorized')['upload']['id']}"),
    # authorizations
    "GET /api/v1/demand-types": P(f"{API}/demand-types"),
    "GET /api/v1/procedures": P(f"{API}/procedures", params={"q": "consulta"}),
    "POST /api/v1/procedures": P(f"{API}/procedures", json={
        "code": CONSULTATION, "name": "Consulta odontológica"}),
    "PATCH /api/v1/procedures/{code}": P(lambda w: f"{API}/procedures/{w.thing('procedure')}",
                                         json={"name": "Procedimento da matriz"}),
    "POST /api/v1/authorization-requests": P(f"{API}/authorization-requests", json=lambda w: {
        "provider_id": _a(w), "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "Regina", "phone": "(21) 3479-1200", "email": "r@a.test"},
        "professional_document": new_cpf(11), "beneficiary": {"cpf": BENEFICIARY},
        "items": [{"procedure_code": CONSULTATION, "quantity": 1}], "draft": True}),
    "POST /api/v1/authorization-requests/{id}/items": P(_req("draft", "/items"), json={
        "procedure_code": CONSULTATION, "quantity": 1}),
    "DELETE /api/v1/authorization-requests/{id}/items/{item_id}": P(
        lambda w: "{}/authorization-requests/{}/items/{}".format(API, *w.thing("draft_item")),
        spends=("draft_item",)),
    "POST /api/v1/authorization-requests/{id}/submit": P(_req("draft", "/submit"),
                                                         spends=("draft", "draft_item")),
    "GET /api/v1/authorization-requests": P(f"{API}/authorization-requests",
                                            params=lambda w: {"provider_id": _a(w)}),
    "GET /api/v1/audit-queue": P(f"{API}/audit-queue"),
    "GET /api/v1/authorization-requests/{id}": P(_req("authorized")),
    "GET /api/v1/authorization-requests/{id}/interactions": P(_req("authorized",
                                                                   "/interactions")),
    "POST /api/v1/authorization-requests/{id}/interactions": P(
        _req("authorized", "/interactions"), json={"message": "Segue o laudo."}),
    "POST /api/v1/authorization-requests/{id}/cancel": P(_req("awaiting", "/cancel"),
                                                         json={"reason": "Desistiu."},
                                                         spends=("awaiting",)),
    "POST /api/v1/authorization-requests/{id}/decision": P(
        _req("awaiting", "/decision"), json={"outcome": "authorized"}, spends=("awaiting",)),
    "POST /api/v1/authorization-requests/{id}/appeal": P(
        _req("denied", "/appeal"), json={"justification": "Segue laudo."}, spends=("denied",)),
    "GET /api/v1/authorization-codes/{code}": P(
        lambda w: f"{API}/authorization-codes/{w.thing('authorized')['authorization']['code']}"),
    "POST /api/v1/payments": P(f"{API}/payments", json=lambda w: {
        "provider_id": _a(w), "beneficiary": {"cpf": BENEFICIARY},
        "invoice": {"number": "NF-1", "issued_on": date.today().isoformat(), "amount": "100.00"},
        "amount_paid": "100.00", "paid_on": date.today().isoformat()}),
    "GET /api/v1/payments": P(f"{API}/payments", params=lambda w: {"provider_id": _a(w)}),
    "POST /api/v1/inquiries": P(f"{API}/inquiries", json=lambda w: {
        "provider_id": _a(w), "subject": "appointments_information", "message": "Dúvida."}),
    "GET /api/v1/inquiries": P(f"{API}/inquiries", params=lambda w: {"provider_id": _a(w)}),
    "GET /api/v1/inquiries/{id}": P(lambda w: f"{API}/inquiries/{w.thing('inquiry')['id']}"),
    "POST /api/v1/inquiries/{id}/messages": P(
        lambda w: f"{API}/inquiries/{w.thing('inquiry')['id']}/messages",
        json={"message": "Mais uma pergunta."}),
    # attendance
    "POST /api/v1/institutions": P(f"{API}/institutions", json={"name": "Nova", "acronym": "N"}),
    "GET /api/v1/institutions": P(f"{API}/institutions"),
    "POST /api/v1/institutions/{id}/managers": P(_x("/managers"), json=lambda w: {
        "account_id": w.id("manager_x")}),
    "POST /api/v1/institutions/{id}/services": P(_x("/services"), json={
        "name": "Serviço novo", "steps": [{"title": "Conferido"}],
        "form_fields": [{"name": "nome", "label": "Nome", "type": "text"}]}),
    "PATCH /api/v1/services/{id}": P(lambda w: f"{API}/services/{w.thing('service')['id']}",
                                     json={"description": "Segunda via"}),
    "POST /api/v1/services/{id}/publish": P(
        lambda w: f"{API}/services/{w.thing('draft_service')['id']}/publish",
        spends=("draft_service",)),
    "POST /api/v1/services/{id}/unpublish": P(
        lambda w: f"{API}/services/{w.thing('published_service')['id']}/unpublish",
        spends=("published_service",)),
    "GET /api/v1/services": P(f"{API}/services"),
    "GET /api/v1/services/{id}": P(lambda w: f"{API}/services/{w.thing('service')['id']}"),
    "GET /api/v1/services/{id}/ratings": P(
        lambda w: f"{API}/services/{w.thing('service')['id']}/ratings"),
    "POST /api/v1/institutions/{id}/attendant-requests": P(_x("/attendant-requests"),
                                                           json={"message": "Quero atender"}),
    "GET /api/v1/institutions/{id}/attendant-requests": P(_x("/attendant-requests")),
    "POST /api/v1/attendant-requests/{id}/approve": P(
        lambda w: f"{API}/attendant-requests/{w.thing('access_request')['id']}/approve",
        spends=("access_request",)),
    "POST /api/v1/attendant-requests/{id}/reject": P(
        lambda w: f"{API}/attendant-requests/{w.thing('access_request')['id']}/reject",
        json={"reason": "Outro setor"}, spends=("access_request",)),
    "POST /api/v1/services/{id}/requests": P(
        lambda w: f"{API}/services/{w.thing('service')['id']}/requests",
        json={"answers": {"nome": "Cida"}}),
    "GET /api/v1/me/service-requests": P(f"{API}/me/service-requests"),
    "GET /api/v1/institutions/{id}/service-requests": P(_x("/service-requests")),
    "GET /api/v1/service-requests/{id}": P(_sr("in_progress")),
    "POST /api/v1/service-requests/{id}/start-analysis": P(_sr("submitted", "/start-analysis"),
                                                           spends=("submitted",)),
    "POST /api/v1/service-requests/{id}/approve": P(
        _sr("in_analysis", "/approve"), json=lambda w: {"attendant_id": w.id("attendant_x")},
        spends=("in_analysis",)),
    "POST /api/v1/service-requests/{id}/reject": P(
        _sr("in_analysis", "/reject"), json={"justification": "Faltou documento."},
        spends=("in_analysis",)),
    "PUT /api/v1/service-requests/{id}/checklist": P(_sr("in_progress", "/checklist"),
                                                     json=lambda w: {"answers": {
        w.thing("in_progress")["checklist"][0]["step_id"]: True}}),
    "POST /api/v1/service-requests/{id}/follow-ups": P(_sr("in_progress", "/follow-ups"),
                                                       json={"message": "Alguma novidade?"}),
    "GET /api/v1/service-requests/{id}/follow-ups": P(_sr("in_progress", "/follow-ups")),
    "POST /api/v1/service-requests/{id}/meetings": P(_sr("in_progress", "/meetings"), json={
        "starts_at": FUTURE, "subject": "Conferência"}),
    "GET /api/v1/service-requests/{id}/meetings": P(_sr("in_progress", "/meetings")),
    "POST /api/v1/service-requests/{id}/conclude": P(
        lambda w: f"{API}/service-requests/{w.thing('to_conclude')['id']}/conclude",
        json={"note": "Entregue."}, spends=("to_conclude",)),
    "POST /api/v1/service-requests/{id}/rating": P(_sr("concluded", "/rating"),
                                                   json={"score": 4}, spends=("concluded",)),
    "GET /api/v1/institutions/{id}/ratings": P(_x("/ratings")),
    "GET /api/v1/institutions/{id}/services": P(_x("/services")),
    "POST /api/v1/ratings/{id}/moderate": P(
        lambda w: f"{API}/ratings/{w.thing('rating')['id']}/moderate",
        json={"approved": True}, spends=("rating",)),
    "GET /api/v1/institutions/{id}/agenda": P(_x("/agenda")),
    "POST /api/v1/providers/{id}/appointments": P(_pa("/appointments"), json={
        "starts_at": FUTURE}),
    "GET /api/v1/providers/{id}/appointments": P(_pa("/appointments")),
    "POST /api/v1/institutions/{id}/appointments": P(_x("/appointments"), json={
        "starts_at": FUTURE}),
    "GET /api/v1/institutions/{id}/appointments": P(_x("/appointments")),
    "GET /api/v1/me/appointments": P(f"{API}/me/appointments"),
    "GET /api/v1/appointments/{id}": P(
        lambda w: f"{API}/appointments/{w.thing('appointment')['id']}"),
    "POST /api/v1/appointments/{id}/cancel": P(
        lambda w: f"{API}/appointments/{w.thing('to_cancel')['id']}/cancel",
        spends=("to_cancel",)),
    # notifications
    "GET /api/v1/notifications": P(f"{API}/notifications"),
    "POST /api/v1/notifications/{id}/read": P(
        lambda w: f"{API}/notifications/{w.thing('notification')}/read"),
    "POST /api/v1/notifications/read-all": P(f"{API}/notifications/read-all"),
    "POST /api/v1/notifications/stream-tickets": P(f"{API}/notifications/stream-tickets"),
    "GET /api/v1/notifications/stream": P(f"{API}/notifications/stream", stream=True),
    "POST /api/v1/bulletins": P(f"{API}/bulletins", json={"title": "Aviso",
                                                          "body": "Mudança de horário."}),
    "GET /api/v1/bulletins": P(f"{API}/bulletins"),
    "GET /api/v1/me/notification-preferences": P(f"{API}/me/notification-preferences"),
    "PUT /api/v1/me/notification-preferences": P(f"{API}/me/notification-preferences",
                                                 json={"email": {}}),
    "GET /api/v1/notifications/emails": P(f"{API}/notifications/emails"),
    "POST /api/v1/notifications/emails/{id}/retry": P(
        lambda w: f"{API}/notifications/emails/{w.thing('email')}/retry"),
}

# routes checked on the distributed runtime too: one or two per area and kind of rule
DISTRIBUTED = ("GET /api/v1/me", "GET /api/v1/secretaries", "PATCH /api/v1/providers/{id}/profile",
               "GET /api/v1/providers/{provider_id}/relationships",
               "GET /api/v1/attachments/{id}", "POST /api/v1/authorization-requests",
               "GET /api/v1/authorization-requests/{id}", "GET /api/v1/payments",
               "POST /api/v1/institutions/{id}/services",
               "GET /api/v1/institutions/{id}/service-requests",
               "GET /api/v1/service-requests/{id}", "GET /api/v1/appointments/{id}",
               "POST /api/v1/notifications/{id}/read", "GET /api/v1/bulletins")


def outcome(status: int) -> Outcome:
    if status in (401, 403, 404):
        return status
    if 200 <= status < 300 or status in (409, 422):
        return ALLOW
    return f"unexpected {status}"


def endpoints(api) -> set[str]:
    return {route.endpoint for route in api.routes}


# -- the tests ------------------------------------------------------------------------------

def test_every_route_has_one_row_and_every_row_a_route():
    from gateway.service import API as GATEWAY
    routes = endpoints(GATEWAY)
    assert not (ACCESS.keys() & OUTSIDE_MATRIX)
    assert routes - ACCESS.keys() - OUTSIDE_MATRIX == set(), "routes without a row"
    assert (ACCESS.keys() | OUTSIDE_MATRIX) - routes == set(), "rows without a route"
    assert ACCESS.keys() == PROBES.keys(), "every row needs a probe in this test"
    for endpoint, row in ACCESS.items():
        assert set(row) == set(CALLERS), endpoint
        assert set(row.values()) <= {ALLOW, 401, 403, 404}, endpoint
        public = next(r.public for r in GATEWAY.routes if r.endpoint == endpoint)
        # a public route may still ask for a token in its handler (the event stream takes a
        # header or a ticket); a route that is not public always does
        assert public or row[ANONYMOUS] == 401, endpoint


def passes_route(route, caller: str) -> bool:
    """The route's own kinds=/roles= check (gateway.auth.require_kind) for this caller."""
    if route.public:
        return True
    if caller == ANONYMOUS:
        return False
    if not route.kinds and not route.roles:
        return True
    roles = set(STAFF_ROLES_OF.get(caller, ()))
    return KIND[caller] in route.kinds or bool(
        route.roles and KIND[caller] == "staff" and ("admin" in roles or roles & set(route.roles)))


def test_the_table_agrees_with_each_routes_own_kinds_and_roles():
    """Cheap, without a running system: whom a route's declaration turns away (401 without a
    token, 403 for another kind or staff role) the table must not let through, and the other
    way round."""
    from gateway.service import API as GATEWAY
    wrong = []
    for route in GATEWAY.routes:
        if route.endpoint in OUTSIDE_MATRIX:
            continue
        for caller in CALLERS:
            expected = ACCESS[route.endpoint][caller]
            if not passes_route(route, caller):
                refusal = 401 if caller == ANONYMOUS else 403
                if expected != refusal:
                    wrong.append(f"{route.endpoint} {caller}: the route answers {refusal}, "
                                 f"the table says {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture(scope="module")
def world(stack):
    w = build(stack.client, stack.mail)
    w.makers["to_conclude"] = w.makers["in_progress"]
    w.makers["to_cancel"] = w.makers["appointment"]
    return w


def test_the_matrix_holds_on_the_running_system(stack, world, capsys):
    chosen = list(ACCESS) if stack.kind == "embedded" else list(DISTRIBUTED)
    mismatches: list[str] = []
    tally: Counter = Counter()
    statuses: list[str] = []
    for endpoint in chosen:
        method, _ = endpoint.split(" ", 1)
        probe = PROBES[endpoint]
        for caller in CALLERS:
            expected = ACCESS[endpoint][caller]
            token = None
            if caller != ANONYMOUS:
                token = world.token(caller)
                if probe.fresh_session:
                    person = world.people[caller]
                    token = world.client.token(person["login"], person["password"])
            request = probe.make(world, caller)
            path = request.pop("path")
            answer = world.client.request(method, path, token=token, **request)
            answer.close()  # an event stream stays open otherwise
            got = outcome(answer.status_code)
            tally[got] += 1
            statuses.append(f"{endpoint}\t{caller}\t{answer.status_code}")
            if got != expected:
                mismatches.append(f"{endpoint} as {caller}: expected {expected}, got "
                                  f"{answer.status_code} "
                                  f"{'' if request.get('stream') else answer.text[:160]}")
            if got == ALLOW and 200 <= answer.status_code < 300:
                for name in probe.spends:
                    world.spend(name)
                if probe.after is not None:
                    probe.after(world, caller, answer)
    if os.environ.get("PONTE_MATRIX_DUMP"):  # every cell's status, for reading the matrix
        with open(os.environ["PONTE_MATRIX_DUMP"], "w") as dump:
            dump.write("\n".join(statuses) + "\n")
    with capsys.disabled():
        print(f"\npermission matrix ({stack.kind}): {len(chosen)} routes × {len(CALLERS)} "
              f"callers = {sum(tally.values())} calls; "
              + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items(), key=str))
              + f"; {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)


def test_pages_and_probes_outside_the_matrix_ask_for_no_token(stack):
    for endpoint in sorted(OUTSIDE_MATRIX):
        method, path = endpoint.split(" ", 1)
        if method != "GET" or "{" in path:
            continue
        answer = stack.client.get(path)
        assert answer.status_code not in (401, 403), endpoint
    assert stack.client.get("/assets/pages.css").status_code == 200
