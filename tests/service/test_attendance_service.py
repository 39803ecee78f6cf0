"""The attendance service in a real nameko container, on the in-process broker with SQLite and a
local object store: RPC calls change state and publish their events, with the people they
concern, through the outbox; the due-time job tells once; attachments are readable by exactly
the people who may see what holds them."""
from __future__ import annotations

import io
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcClient
from nameko.testing.services import entrypoint_hook

import ponte.broker  # noqa: F401  registers the in-process transport
from ponte import clock as ponte_clock
from ponte import storage
from ponte.clock import iso, now
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.attendance.models import metadata
from services.attendance.service import AttendanceService
from services.attendance.usecases import requests as request_use_cases
from tests.service import harness
from tests.service.harness import holding, listener, running, transactions, turns_taken
from tests.stack import new_cpf, wait_until

EVENTS = ("service_published", "attendant_access_requested", "attendant_access_approved",
          "attendant_access_rejected", "service_request_submitted", "service_request_approved",
          "service_request_rejected", "follow_up_added", "meeting_scheduled",
          "service_request_concluded", "service_request_overdue", "rating_submitted",
          "rating_moderated", "appointment_booked", "appointment_cancelled")


class FakeIdentity:
    """What attendance asks identity: accounts (with staff roles) and providers."""

    name = "identity"
    accounts: dict[str, dict] = {}
    providers: dict[str, dict] = {}
    missing_profile: dict[str, list[str]] = {}

    asked: Counter[str] = Counter()

    @rpc
    def get_accounts(self, ids: list[str]) -> list[dict]:
        FakeIdentity.asked.update(ids)
        return [FakeIdentity.accounts[i] for i in ids if i in FakeIdentity.accounts]

    @rpc
    def get_provider(self, provider_id: str) -> dict:
        if provider_id not in FakeIdentity.providers:
            raise NotFound("No such provider.")
        return FakeIdentity.providers[provider_id]

    @rpc
    def get_missing_profile(self, provider_id: str) -> list[str]:
        return FakeIdentity.missing_profile.get(provider_id, [])

    @rpc
    def ping(self) -> dict:
        return {"service": "identity", "status": "ok"}


Listener = listener("attendance", EVENTS)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("attendance")
    classes = {
        "attendance": AttendanceService, "identity": FakeIdentity, "listener": Listener}
    meetings = "https://video.example.org/salas/"
    with running(data, classes, PONTE_MEETING_BASE_URL=meetings) as runner:
        yield data, runner


@pytest.fixture(scope="module")
def container(env):
    return next(c for c in env[1].containers if c.service_name == "attendance")


@pytest.fixture(scope="module")
def rpc_client(env):
    with ClusterRpcClient() as client:
        yield client.attendance


@pytest.fixture
def clock(container):
    provider = next(d for d in container.dependencies if isinstance(d, ponte_clock.Clock))
    yield provider
    provider.offset = timedelta(0)


def event(event_type: str, **match: object) -> dict:
    def found():
        for received in reversed(Listener.received):
            data = received["data"]
            if received["type"] == event_type and all(data.get(k) == v for k, v in match.items()):
                return data
        return None
    return wait_until(found, 5, 0.02, what=f"event {event_type} {match}")


def events(event_type: str, **match: object) -> list[dict]:
    return [r["data"] for r in Listener.received if r["type"] == event_type
            and all(r["data"].get(k) == v for k, v in match.items())]


def person(kind: str, name: str, roles: list[str] | None = None) -> dict:
    account_id = str(uuid.uuid4())
    FakeIdentity.accounts[account_id] = {"id": account_id, "kind": kind, "name": name,
                                         "email": f"{account_id[:8]}@x.test", "status": "active",
                                         **({"roles": roles or []} if kind == "staff" else {})}
    return {"account_id": account_id, "kind": kind, "roles": roles or [], "provider_id": None,
            "session_id": "s"}


ADMIN = {"account_id": "admin", "kind": "staff", "roles": ["admin"], "provider_id": None,
         "session_id": "s"}


def upload(owner: dict) -> str:
    upload_id = str(uuid.uuid4())
    storage.store().put_stream(f"uploads/{upload_id}", io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
                               max_bytes=1024, allowed=storage.ATTACHMENT_TYPES,
                               filename="doc.pdf",
                               metadata={"id": upload_id, "owner": owner["account_id"]})
    return upload_id


class Office:
    """An institution with a manager, two attendants and a published service."""

    def __init__(self, rpc) -> None:
        self.rpc = rpc
        self.institution = rpc.create_institution(ADMIN, "Secretaria", "SES")
        self.manager = person("staff", "Márcia", ["manager"])
        rpc.designate_manager(ADMIN, self.institution["id"], self.manager["account_id"])
        self.ana = self.attendant("Ana")
        self.bruno = self.attendant("Bruno")
        service = rpc.create_service(self.manager, self.institution["id"], {
            "name": "Segunda via", "steps": [{"title": "Docs"}],
            "form_fields": [{"name": "cpf", "label": "CPF", "type": "cpf", "required": True}],
            "due_business_days": 2})
        self.service = rpc.publish_service(self.manager, service["id"])

    def attendant(self, name: str) -> dict:
        servant = person("staff", name, ["servant"])
        asked = self.rpc.ask_attendant_access(servant, self.institution["id"], None)
        self.rpc.approve_attendant_request(self.manager, asked["id"])
        return servant

    def submit(self, citizen: dict, **kwargs) -> dict:
        return self.rpc.submit_request(citizen, self.service["id"], {"cpf": new_cpf()},
                                       **kwargs)


@pytest.fixture
def office(rpc_client) -> Office:
    return Office(rpc_client)


def test_the_migration_creates_exactly_the_models(env, container):
    engine = sa.create_engine(f"sqlite:///{env[0]}/attendance.db")

    def ours(name, type_, parents) -> bool:  # messaging, numbering, idempotency are ponte's
        if type_ == "schema":
            return True
        return (name if type_ == "table" else parents.get("table_name")) in metadata.tables
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours,
                                                         "compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_each_event_names_the_people_it_concerns(office, rpc_client):
    manager, ana, bruno = office.manager, office.ana, office.bruno
    audience = event("attendant_access_requested", servant_id=ana["account_id"])["audience"]
    assert manager["account_id"] in audience["accounts"]
    assert event("attendant_access_approved", servant_id=bruno["account_id"])["audience"] == {
        "accounts": [bruno["account_id"]], "provider": None, "staff_roles": []}
    published = event("service_published", service_id=office.service["id"])
    assert set(published["audience"]["accounts"]) == {manager["account_id"], ana["account_id"],
                                                      bruno["account_id"]}
    assert published["link"] == f"/api/v1/services/{office.service['id']}"

    citizen = person("citizen", "Cida")
    request = office.submit(citizen)
    submitted = event("service_request_submitted", service_request_id=request["id"])
    assert set(submitted["audience"]["accounts"]) == {citizen["account_id"], ana["account_id"],
                                                      bruno["account_id"]}
    assert submitted["protocol"] == request["protocol"]
    assert submitted["citizen_name"] == "Cida" and submitted["service_name"] == "Segunda via"
    assert submitted["link"] == f"/api/v1/service-requests/{request['id']}"

    rpc_client.start_analysis(ana, request["id"])
    rpc_client.approve_request(ana, request["id"], bruno["account_id"])
    approved = event("service_request_approved", service_request_id=request["id"])
    assert approved["audience"]["accounts"] == [citizen["account_id"], bruno["account_id"]]
    assert approved["assigned_attendant_name"] == "Bruno"

    rpc_client.add_follow_up(bruno, request["id"], "Olá", [])
    assert event("follow_up_added", author_side="attendant")["audience"]["accounts"] == [
        citizen["account_id"]]
    rpc_client.add_follow_up(citizen, request["id"], "Oi", [])
    assert event("follow_up_added", author_side="citizen",
                 service_request_id=request["id"])["audience"]["accounts"] == [
        bruno["account_id"]]
    meeting = rpc_client.schedule_meeting(bruno, request["id"],
                                          iso(now() + timedelta(days=1)), "Dúvidas")
    assert meeting["join_url"].startswith("https://video.example.org/salas/ponte-")
    scheduled = event("meeting_scheduled", meeting_id=meeting["id"])
    assert scheduled["audience"]["accounts"] == [citizen["account_id"]]
    assert scheduled["join_url"] == meeting["join_url"]

    rpc_client.conclude_request(bruno, request["id"], "Pronto")
    assert event("service_request_concluded", service_request_id=request["id"])[
        "audience"]["accounts"] == [citizen["account_id"]]
    rating = rpc_client.rate_request(citizen, request["id"], 5, "Ótimo")
    assert set(event("rating_submitted", rating_id=rating["id"])["audience"]["accounts"]) == {
        ana["account_id"], bruno["account_id"]}
    rpc_client.moderate_rating(ana, rating["id"], False, "dados pessoais")
    moderated = event("rating_moderated", rating_id=rating["id"])
    assert moderated["rating_status"] == "rejected"
    assert moderated["audience"]["accounts"] == [citizen["account_id"]]
    # kept for audit, never shown
    assert rpc_client.institution_ratings(ana, office.institution["id"])["items"][0][
        "comment"] is None
    assert rpc_client.service_ratings(office.service["id"])["count"] == 0


def test_a_submission_takes_its_protocol_last(office, container):
    """After the bump the day's sequence row stays locked until the commit and every other
    submission waits (ponte.numbering): only the request and its event are written then."""
    citizen = person("citizen", "Cida")
    office.submit(citizen)  # the sequence's first use inserts its row
    with transactions(container) as committed:
        office.submit(citizen)
        office.submit(citizen, attachment_ids=[upload(citizen)])
    assert holding(committed) == [
        ["UPDATE sequences", "INSERT INTO service_requests", "INSERT INTO outbox", "COMMIT"]] * 2


def test_a_known_citizen_s_submission_reads_three_statements_in_its_own_transaction(
        office, container):
    """Before the bump, one round trip each (issue 21): the citizen as kept here, the service
    with its institution, the institution's attendants; nothing is read before the transaction,
    and the name the event shows is the citizen's row."""
    citizen = person("citizen", "Cida")
    office.submit(citizen)
    with transactions(container) as committed:
        submitted = office.submit(citizen)
    submission = next(t for t in committed if "UPDATE sequences" in t)
    assert submission[:submission.index("UPDATE sequences")] == [
        "SELECT FROM people", "SELECT FROM services", "SELECT FROM attendant_requests"]
    assert [t for t in committed if t is not submission
            and t != ["UPDATE outbox", "COMMIT"]] == []  # the relay's may have come
    assert event("service_request_submitted", service_request_id=submitted["id"])[
        "citizen_name"] == "Cida"


def test_a_submission_takes_its_turn_for_the_protocol(office, monkeypatch):
    """The submission's transaction runs ``ponte.numbering.in_turn`` (issue 21: a fair queue
    in the process instead of PostgreSQL's on the sequence row). The first time a citizen
    acts here the turn is taken twice: the copy kept here is read in the transaction, and
    identity is asked outside it."""
    turns = turns_taken(monkeypatch, request_use_cases)
    cida = person("citizen", "Cida")
    office.submit(cida)
    assert turns == ["service_request_protocol"] * 2
    office.submit(cida)
    assert turns == ["service_request_protocol"] * 3


def test_a_citizen_is_copied_once_then_kept_current_by_identity_s_events(office, container):
    """identity is asked only the first time (issue 21); later requests read the copy, which
    ``account_updated`` renames. Rewriting it at every request would lock it until the commit:
    the same citizen's concurrent requests would queue on it. The copy is read in the
    submission's transaction, and gives the name the event shows."""
    citizen = person("citizen", "Cida")
    asked = FakeIdentity.asked.copy()
    with transactions(container) as committed:
        office.submit(citizen)
        office.submit(citizen)
        FakeIdentity.accounts[citizen["account_id"]]["name"] = "Cida Souza"
        emit("account_updated", {"account_id": citizen["account_id"], "kind": "citizen",
                                 "name": "Cida Souza", "email": "cida@x.test"})
        wait_until(lambda: any(" people" in s for t in committed for s in t
                               if s.startswith("UPDATE")), 5, 0.02, what="the rename")
        renamed = office.submit(citizen)
    writes = [[s for s in t if s.endswith(" people")] for t in committed if "UPDATE sequences" in t]
    assert writes == [["SELECT FROM people", "INSERT INTO people"],
                      ["SELECT FROM people"], ["SELECT FROM people"]]
    assert FakeIdentity.asked[citizen["account_id"]] - asked.get(citizen["account_id"], 0) == 1
    assert event("service_request_submitted",
                 service_request_id=renamed["id"])["citizen_name"] == "Cida Souza"


def test_a_rejection_tells_the_citizen_its_justification(office, rpc_client):
    citizen = person("citizen", "Cida")
    request = office.submit(citizen)
    rpc_client.start_analysis(office.ana, request["id"])
    rpc_client.reject_request(office.ana, request["id"], "Ilegível")
    rejected = event("service_request_rejected", service_request_id=request["id"])
    assert rejected["justification"] == "Ilegível"
    assert rejected["audience"]["accounts"] == [citizen["account_id"]]


def test_overdue_requests_are_told_once(office, rpc_client, container, clock):
    citizen = person("citizen", "Cida")
    request = office.submit(citizen)
    with entrypoint_hook(container, "flag_overdue_requests") as flag:
        assert not events("service_request_overdue", service_request_id=request["id"])
        clock.offset = timedelta(days=10)
        assert flag() >= 1
        overdue = event("service_request_overdue", service_request_id=request["id"])
        assert set(overdue["audience"]["accounts"]) == {
            office.ana["account_id"], office.bruno["account_id"],
            office.manager["account_id"]}
        queue = rpc_client.institution_requests(office.ana, office.institution["id"])["items"]
        assert next(r for r in queue if r["id"] == request["id"])["overdue"] is True
        assert flag() == 0
    assert len(events("service_request_overdue", service_request_id=request["id"])) == 1


def test_the_queue_is_sorted_by_due_time(office, rpc_client, clock):
    citizen = person("citizen", "Cida")
    later = office.submit(citizen)
    clock.offset = timedelta(days=-3)
    earlier = office.submit(citizen)
    clock.offset = timedelta(0)
    queue = rpc_client.institution_requests(office.manager, office.institution["id"],
                                            status="submitted")["items"]
    order = [r["id"] for r in queue]
    assert order.index(earlier["id"]) < order.index(later["id"])
    dues = [r["due_at"] for r in queue]
    assert dues == sorted(dues)


def test_protocols_follow_each_other_within_the_day(office):
    citizen = person("citizen", "Cida")
    first, second = office.submit(citizen), office.submit(citizen)
    assert first["protocol"][:8] == second["protocol"][:8]
    assert int(second["protocol"]) == int(first["protocol"]) + 1


def test_an_idempotency_key_replays_the_first_answer(office, rpc_client):
    citizen = person("citizen", "Cida")
    key = {"account_id": citizen["account_id"], "key": "k1", "fingerprint": "f1"}
    answers = {"cpf": new_cpf()}
    first = rpc_client.submit_request(citizen, office.service["id"], answers, idempotency=key)
    again = rpc_client.submit_request(citizen, office.service["id"], answers, idempotency=key)
    assert first == again
    with pytest.raises(Conflict):
        rpc_client.submit_request(citizen, office.service["id"], answers,
                                  idempotency={**key, "fingerprint": "f2"})
    assert len(rpc_client.my_requests(citizen)["items"]) == 1


def test_attachments_are_read_by_who_may_see_their_holder(office, rpc_client):
    citizen = person("citizen", "Cida")
    document = upload(citizen)
    request = office.submit(citizen, attachment_ids=[document])
    assert request["attachments"][0]["id"] == document
    outsider_office = Office(rpc_client)
    for who, allowed in ((citizen, True), (office.ana, True), (office.manager, True),
                         (person("citizen", "Outra"), False), (outsider_office.ana, False),
                         (outsider_office.manager, False)):
        assert rpc_client.may_read_attachment(who, document) is allowed
    with pytest.raises(InvalidInput) as error:
        office.submit(citizen, attachment_ids=[upload(person("citizen", "Alguém"))])
    assert "attachment_ids.0" in error.value.errors

    provider_id = str(uuid.uuid4())
    FakeIdentity.providers[provider_id] = {"id": provider_id, "legal_name": "Clínica"}
    scan = upload(citizen)
    appointment = rpc_client.book_appointment(citizen, provider_id,
                                              iso(now() + timedelta(days=1)),
                                              attachment_ids=[scan])
    booked = event("appointment_booked", appointment_id=appointment["id"])
    assert booked["audience"] == {"accounts": [], "provider": {
        "id": provider_id, "roles": ["authorizations"]}, "staff_roles": []}
    secretary = {"account_id": "sec", "kind": "secretary", "roles": [], "provider_id": None,
                 "session_id": "s"}
    for who, allowed in ((citizen, True),
                         ({**secretary, "acting_for": {provider_id: ["authorizations"]}}, True),
                         ({**secretary, "acting_for": {provider_id: ["billing"]}}, False),
                         (office.ana, False)):
        assert rpc_client.may_read_attachment(who, scan) is allowed
    cancelled = rpc_client.cancel_appointment(
        {**secretary, "acting_for": {provider_id: ["authorizations"]}}, appointment["id"])
    assert cancelled["cancelled_by"] == "provider"
    assert event("appointment_cancelled", appointment_id=appointment["id"])["audience"][
        "accounts"] == [citizen["account_id"]]


def test_who_may_act_on_a_request(office, rpc_client):
    citizen = person("citizen", "Cida")
    request = office.submit(citizen)
    with pytest.raises(Forbidden):
        rpc_client.start_analysis(office.manager, request["id"])
    with pytest.raises(NotFound):
        rpc_client.get_request(person("citizen", "Outra"), request["id"])
    rpc_client.start_analysis(office.ana, request["id"])
    with pytest.raises(InvalidInput):
        rpc_client.approve_request(office.ana, request["id"], office.manager["account_id"])
    rpc_client.approve_request(office.ana, request["id"], office.bruno["account_id"])
    with pytest.raises(Forbidden):
        rpc_client.conclude_request(office.ana, request["id"], "x")
    with pytest.raises(Forbidden):
        rpc_client.schedule_meeting(office.ana, request["id"],
                                    iso(now() + timedelta(days=1)), "x")


def emit(event_type: str, data: dict) -> None:
    """Publish an identity event the way identity's relay does."""
    harness.emit("identity", event_type, data, occurred_at="2026-12-01T15:00:00Z")


def test_names_follow_identity(office, rpc_client):
    citizen = person("citizen", "Cida")
    request = office.submit(citizen)
    emit("account_updated", {"account_id": citizen["account_id"], "kind": "citizen",
                             "name": "Cida Souza", "email": "cida@x.test"})
    wait_until(lambda: rpc_client.get_request(office.ana, request["id"])["citizen"]["name"]
               == "Cida Souza", 5, 0.05, what="the new name")
    emit("account_updated", {"account_id": str(uuid.uuid4()), "kind": "citizen",
                             "name": "Nobody", "email": "n@x.test"})


def concluded_by(office: Office, rpc_client, attendant: dict, citizen: dict) -> dict:
    """A request of ``citizen`` that ``attendant`` handled to its conclusion."""
    request = office.submit(citizen)
    rpc_client.start_analysis(office.ana, request["id"])
    rpc_client.approve_request(office.ana, request["id"], attendant["account_id"])
    return rpc_client.conclude_request(attendant, request["id"], "Pronto")


def test_the_attendant_who_handled_a_request_may_not_moderate_its_rating(office, rpc_client):
    citizen = person("citizen", "Cida")
    request = concluded_by(office, rpc_client, office.bruno, citizen)
    rating = rpc_client.rate_request(citizen, request["id"], 2, "Demorou")
    with pytest.raises(Forbidden):
        rpc_client.moderate_rating(office.bruno, rating["id"], True)
    assert rpc_client.moderate_rating(office.ana, rating["id"], True)["status"] == "approved"


def test_a_request_carries_its_rating_whatever_its_moderation(office, rpc_client):
    citizen = person("citizen", "Cida")
    request = concluded_by(office, rpc_client, office.bruno, citizen)
    assert rpc_client.get_request(citizen, request["id"])["rating"] is None
    rating = rpc_client.rate_request(citizen, request["id"], 3, "  Bom, mas lento ")
    rpc_client.moderate_rating(office.ana, rating["id"], False, "dados pessoais")
    expected = {"score": 3, "comment": "Bom, mas lento", "status": "rejected"}
    for who in (citizen, office.bruno, office.manager):
        assert rpc_client.get_request(who, request["id"])["rating"] == expected
    mine = rpc_client.my_requests(citizen)["items"]
    assert next(r for r in mine if r["id"] == request["id"])["rating"] == expected


def test_managers_list_their_institutions_services_in_every_state(office, rpc_client):
    institution = office.institution["id"]
    draft = rpc_client.create_service(office.manager, institution, {"name": "Rascunho"})
    listed = rpc_client.institution_services(office.manager, institution)["items"]
    assert {(s["id"], s["status"]) for s in listed} >= {(draft["id"], "draft"),
                                                         (office.service["id"], "published")}
    drafts = rpc_client.institution_services(ADMIN, institution, status="draft")["items"]
    assert [s["id"] for s in drafts] == [draft["id"]]
    with pytest.raises(Forbidden):
        rpc_client.institution_services(office.ana, institution)
    with pytest.raises(Forbidden):
        rpc_client.institution_services(Office(rpc_client).manager, institution)


def test_the_agenda_gives_each_item_its_local_time(office, rpc_client):
    citizen = person("citizen", "Cida")
    day = (now() + timedelta(days=30)).date()
    at = f"{day.isoformat()}T13:30:00Z"  # 10:30 in São Paulo
    rpc_client.book_institution_appointment(citizen, office.institution["id"], at, "Presencial")
    agenda = rpc_client.agenda(office.ana, office.institution["id"], day.isoformat())
    assert agenda["time_zone"] == "America/Sao_Paulo"
    assert [(i["starts_at"], i["local_time"]) for i in agenda["items"]] == [
        (at, "10:30")]


def test_booking_a_provider_with_an_incomplete_profile_names_the_missing_fields(rpc_client):
    citizen = person("citizen", "Cida")
    provider_id = str(uuid.uuid4())
    FakeIdentity.providers[provider_id] = {"id": provider_id, "legal_name": "Clínica"}
    FakeIdentity.missing_profile[provider_id] = ["phones", "address"]
    when = iso(now() + timedelta(days=1))
    with pytest.raises(Conflict) as refused:
        rpc_client.book_appointment(citizen, provider_id, when)
    assert refused.value.errors == {"profile": ["phones", "address"]}
    assert rpc_client.my_appointments(citizen)["items"] == []
    FakeIdentity.missing_profile[provider_id] = []
    assert rpc_client.book_appointment(citizen, provider_id, when)["status"] == "booked"


def test_independent_mistakes_are_reported_together(office, rpc_client):
    citizen = person("citizen", "Cida")
    foreign = upload(person("citizen", "Alguém"))
    with pytest.raises(InvalidInput) as submitted:
        rpc_client.submit_request(citizen, office.service["id"], {"cpf": "1", "extra": 1},
                                  [foreign])
    assert set(submitted.value.errors) == {"answers.cpf", "answers.extra", "attachment_ids.0"}
    with pytest.raises(InvalidInput) as booked:
        rpc_client.book_institution_appointment(citizen, office.institution["id"],
                                                iso(now() - timedelta(hours=1)), None,
                                                [foreign])
    assert set(booked.value.errors) == {"starts_at", "attachment_ids.0"}
    with pytest.raises(InvalidInput) as edited:
        rpc_client.update_service(office.manager, office.service["id"], {
            "steps": [{"id": "nope", "title": "x"}],
            "form_fields": [{"name": "a", "label": "A", "type": "text"},
                            {"name": "a", "label": "B", "type": "choice"}]})
    assert set(edited.value.errors) == {"steps.0.id", "form_fields.1.name",
                                        "form_fields.1.choices"}
