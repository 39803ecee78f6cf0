"""The authorizations service in a real nameko container, on the in-process broker with SQLite:
what it publishes (and to whom: ``audience``), the overdue alarm driven by a controllable clock,
names of authors kept from identity's events (asked of identity when missing), and who may
download a file attached to a request."""
from __future__ import annotations

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import eventlet
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcClient
from nameko.testing.services import entrypoint_hook

import ponte.broker  # noqa: F401  registers the in-process transport
from ponte import config, storage
from ponte.clock import Clock
from ponte.errors import Conflict, InvalidInput, NotFound
from services.authorizations.models import metadata, payments
from services.authorizations.service import AuthorizationsService
from services.authorizations.usecases import requests as request_use_cases
from tests.service import harness
from tests.service.harness import holding, listener, running, transactions, turns_taken
from tests.stack import new_cpf, wait_until

EVENTS = ("request_submitted", "request_authorized", "request_partially_authorized",
          "request_denied", "request_appealed", "request_cancelled", "interaction_added",
          "payment_registered", "inquiry_message_added", "audit_overdue")
PROVIDER_NAME = "Clínica Sorriso Ltda"


class FakeIdentity:
    name = "identity"
    accounts: dict[str, dict] = {}
    providers: dict[str, dict] = {}
    asked: list[str] = []

    @rpc
    def get_accounts(self, ids: list[str]) -> list[dict]:
        FakeIdentity.asked.extend(ids)
        return [FakeIdentity.accounts[i] for i in ids if i in FakeIdentity.accounts]

    @rpc
    def get_provider(self, provider_id: str) -> dict:
        if provider_id not in FakeIdentity.providers:
            raise NotFound("No such provider.")
        return FakeIdentity.providers[provider_id]

    missing: dict[str, list[str]] = {}

    @rpc
    def get_missing_profile(self, provider_id: str) -> list[str]:
        return FakeIdentity.missing.get(provider_id, [])


class FakeAttendance:
    """Appointments as attendance shows them: to their provider side with authorizations."""

    name = "attendance"
    appointments: dict[str, dict] = {}

    @rpc
    def get_appointment(self, caller: dict, appointment_id: str) -> dict:
        found = FakeAttendance.appointments.get(appointment_id)
        if found is None or "authorizations" not in (
                caller.get("acting_for") or {}).get(found["provider_id"], []):
            raise NotFound("No such appointment.")
        return found


class FakeRelationships:
    name = "relationships"
    grants: dict[str, list[dict]] = {}

    @rpc
    def acting_for(self, account_id: str) -> list[dict]:
        return FakeRelationships.grants.get(account_id, [])


Listener = listener("authorizations", EVENTS)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("authorizations")
    classes = {"authorizations": AuthorizationsService, "identity": FakeIdentity,
               "relationships": FakeRelationships, "attendance": FakeAttendance,
               "listener": Listener}
    with running(data, classes, PONTE_OPERATOR_ANS_CODE="324477") as runner:
        yield data, runner


@pytest.fixture(scope="module")
def container(env):
    return next(c for c in env[1].containers if c.service_name == "authorizations")


@pytest.fixture
def clock(container):
    clock = next(d for d in container.dependencies if isinstance(d, Clock))
    yield clock
    clock.offset = timedelta(0)


@pytest.fixture(scope="module")
def service(env):
    with ClusterRpcClient() as client:
        yield client.authorizations


def emit(event_type: str, data: dict) -> None:
    """Publish an identity event the way identity's relay does."""
    harness.emit("identity", event_type, data, occurred_at="2026-12-01T12:00:00Z")


def events(event_type: str, **match: object) -> list[dict]:
    return [e["data"] for e in Listener.received if e["type"] == event_type
            and all(e["data"].get(k) == v for k, v in match.items())]


def event(event_type: str, **match: object) -> dict:
    found = wait_until(lambda: events(event_type, **match), 5, 0.02,
                       what=f"event {event_type} {match}")
    return found[-1]


def ids() -> str:
    return str(uuid.uuid4())


class World:
    """A provider known from identity's events, its login, a secretary, and an auditor."""

    def __init__(self, service) -> None:
        self.service = service
        self.provider_id, login = ids(), ids()
        emit("provider_preregistered", {"provider_id": self.provider_id,
                                        "legal_name": PROVIDER_NAME, "sites": []})
        emit("provider_registered", {"provider_id": self.provider_id, "account_id": login,
                                     "name": PROVIDER_NAME})
        self.provider = {"account_id": login, "kind": "provider",
                         "provider_id": self.provider_id, "roles": [], "session_id": "s",
                         "acting_for": {self.provider_id: ["authorizations", "billing",
                                                           "commercial",
                                                           "manage_relationships"]}}
        self.auditor = self.staff(["auditor"], "Aurora Auditora")
        self.operator = self.staff(["operator"], "Olívia Operadora")

    def staff(self, roles: list[str], name: str) -> dict:
        account_id = ids()
        emit("staff_created", {"account_id": account_id, "name": name, "roles": roles})
        return {"account_id": account_id, "kind": "staff", "provider_id": None, "roles": roles,
                "session_id": "s", "name": name}

    def secretary(self, roles: list[str], *, with_grants: bool = True) -> dict:
        account_id = ids()
        FakeRelationships.grants[account_id] = [{"provider_id": self.provider_id,
                                                 "legal_name": PROVIDER_NAME, "roles": roles}]
        caller = {"account_id": account_id, "kind": "secretary", "provider_id": None,
                  "roles": [], "session_id": "s"}
        if with_grants:
            caller["acting_for"] = {self.provider_id: roles}
        return caller

    def request(self, *items: dict, draft: bool = False, **extra: object) -> dict:
        data = {"provider_id": self.provider_id,
                "demand_group": "rede_credenciada_movimentacoes",
                "demand_type": "odontologia_solic_proced_ambulatoriais",
                "contact": {"name": "Regina", "phone": "(21) 3479-1200",
                            "email": "r@sorriso.test"},
                "professional_document": new_cpf(7), "beneficiary": {"card_number": "123"},
                "observations": None, "draft": draft,
                "items": list(items) or [{"procedure_code": "81000065", "quantity": 1}],
                **extra}
        return self.service.create_request(self.provider, data)


@pytest.fixture
def world(service) -> World:
    made = World(service)
    wait_until(lambda: _names_known(made), 5, 0.05, what="identity's events")
    return made


def _names_known(world: World) -> bool:
    engine = sa.create_engine(f"sqlite:///{config.settings().data_dir}/authorizations.db")
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM accounts WHERE id IN (:a, :b)"),
                             {"a": world.auditor["account_id"],
                              "b": world.operator["account_id"]}).scalar()
        provider = conn.execute(sa.text("SELECT legal_name FROM providers WHERE id = :p"),
                                {"p": world.provider_id}).scalar()
    engine.dispose()
    return count == 2 and provider == PROVIDER_NAME


CANAL = {"procedure_code": "85200034", "quantity": 1, "tooth": 11}
XRAY = {"procedure_code": "81000421", "quantity": 1, "tooth": 11}


def test_the_migration_creates_exactly_the_models(env, container):
    engine = sa.create_engine(f"sqlite:///{env[0]}/authorizations.db")

    def ours(name, type_, parents) -> bool:
        if type_ == "schema":
            return True
        return (name if type_ == "table" else parents.get("table_name")) in metadata.tables

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"include_name": ours, "compare_type": True}), metadata)
    engine.dispose()
    assert diff == []


def test_submissions_take_their_turn_for_the_numbers_and_drafts_do_not(world, monkeypatch):
    """A submission's transaction runs ``ponte.numbering.in_turn`` (issue 21: a fair queue
    in the process instead of PostgreSQL's on the sequence row); keeping a draft takes no
    number and does not queue."""
    turns = turns_taken(monkeypatch, request_use_cases)
    world.request()
    assert turns == ["authorization_request"]
    draft = world.request(draft=True)
    assert turns == ["authorization_request"]
    world.service.submit_request(world.provider, draft["id"])
    assert turns == ["authorization_request"] * 2


def test_an_immediate_authorization_tells_the_provider_side(world):
    request = world.request()
    submitted = event("request_submitted", request_id=request["id"])
    assert submitted["audience"] == {"accounts": [], "staff_roles": [], "provider": {
        "id": world.provider_id, "roles": ["authorizations"]}}
    assert submitted["number"] == request["number"] and submitted["protocol"].startswith("324477")
    assert submitted["provider_legal_name"] == PROVIDER_NAME
    assert submitted["link"] == f"/api/v1/authorization-requests/{request['id']}"
    # one change, one event: the code rides on it (notifications tells it twice, issue 21)
    assert submitted["status"] == "authorized"
    assert submitted["code"] == request["authorization"]["code"]
    assert submitted["procedure_codes"] and submitted["valid_until"]
    eventlet.sleep(0.3)  # one commit's events are published together: a second would be here
    assert not events("request_authorized", request_id=request["id"])
    assert request["decided_at"] == request["submitted_at"]


# After a sequence bump its row stays locked until the commit and every other submission
# waits (ponte.numbering): the numbers are taken last, and the events written in one statement.
NUMBERED_LAST = ["UPDATE sequences", "UPDATE sequences", "UPDATE requests"]
EVENTS_AT_COMMIT = ["INSERT INTO outbox", "COMMIT"]


def test_a_submission_takes_its_numbers_last(world, service, container):
    world.request()  # the sequences' first use inserts their rows
    with transactions(container) as committed:
        authorized = world.request(XRAY)
        audited = world.request(CANAL)
        draft = world.request(XRAY, draft=True)
        submitted = service.submit_request(world.provider, draft["id"])
    assert [r["status"] for r in (authorized, audited, submitted)] == [
        "authorized", "awaiting_audit", "authorized"]
    code = ["INSERT INTO authorization_codes"]
    assert holding(committed) == [NUMBERED_LAST + code + EVENTS_AT_COMMIT,
                                  NUMBERED_LAST + EVENTS_AT_COMMIT,
                                  NUMBERED_LAST + code + EVENTS_AT_COMMIT]


def test_review_tells_auditors_and_the_decision_tells_the_provider_side(world, service):
    request = world.request(CANAL, XRAY)
    assert request["status"] == "awaiting_audit"
    submitted = event("request_submitted", request_id=request["id"])
    assert submitted["audience"]["staff_roles"] == ["auditor"]
    assert submitted["due_at"] == request["due_at"]
    canal, xray = (i["id"] for i in request["items"])
    decided = service.decide_request(world.auditor, request["id"], "partially_authorized",
                                     [{"item_id": canal, "authorized": False},
                                      {"item_id": xray, "authorized": True}], "Sem radiografia")
    assert decided["authorization"]["procedure_codes"] == ["81000421"]
    told = event("request_partially_authorized", request_id=request["id"])
    assert told["audience"]["provider"] == {"id": world.provider_id, "roles": ["authorizations"]}
    assert told["authorized_item_ids"] == [xray] and told["justification"] == "Sem radiografia"
    assert told["denied_items"] == [{"item_id": canal, "procedure_code": "85200034",
                                     "denial_reason": None}]
    timeline = service.list_interactions(world.provider, request["id"])["items"]
    assert timeline[-1]["author"] == {"id": world.auditor["account_id"],
                                      "name": "Aurora Auditora", "side": "operator"}


def test_denial_appeal_and_cancellation_are_told(world, service):
    request = world.request(CANAL)
    service.decide_request(world.auditor, request["id"], "denied", None, "Sem cobertura")
    assert event("request_denied", request_id=request["id"])["justification"] == "Sem cobertura"
    service.appeal_request(world.provider, request["id"], "Segue laudo")
    appealed = event("request_appealed", request_id=request["id"])
    assert appealed["audience"]["staff_roles"] == ["auditor"]
    service.cancel_request(world.provider, request["id"], "Paciente desistiu")
    cancelled = event("request_cancelled", request_id=request["id"])
    assert cancelled["reason"] == "Paciente desistiu"
    assert cancelled["audience"]["staff_roles"] == ["auditor"]
    with pytest.raises(Conflict):
        service.appeal_request(world.provider, request["id"], "de novo")


def test_an_overdue_audit_is_announced_once_per_round(world, service, container, clock):
    request = world.request(CANAL)
    clock.offset = timedelta(days=5)  # past the next business day, whatever today is
    queue = service.audit_queue(world.auditor, 200)["items"]
    assert next(r for r in queue if r["id"] == request["id"])["overdue"] is True
    with entrypoint_hook(container, "announce_overdue_audits") as announce:
        assert announce() >= 1
        assert announce() == 0
    overdue = event("audit_overdue", request_id=request["id"])
    assert overdue["audience"] == {"accounts": [], "provider": None, "staff_roles": ["auditor"]}
    assert len(events("audit_overdue", request_id=request["id"])) == 1
    service.decide_request(world.auditor, request["id"], "denied", None, "Sem cobertura")
    service.appeal_request(world.provider, request["id"], "Segue laudo")
    clock.offset = timedelta(days=10)
    with entrypoint_hook(container, "announce_overdue_audits") as announce:
        assert announce() >= 1
    wait_until(lambda: len(events("audit_overdue", request_id=request["id"])) == 2, 5, 0.02,
               what="the second round's alarm")


def test_an_idempotent_create_submits_once(world, service):
    data = {"provider_id": world.provider_id, "demand_group": "rede_credenciada_movimentacoes",
            "demand_type": "odontologia_solic_proced_ambulatoriais",
            "contact": {"name": "R", "phone": "(21) 3479-1200", "email": "r@x.test"},
            "professional_document": new_cpf(8), "beneficiary": {"card_number": "9"},
            "items": [{"procedure_code": "81000065", "quantity": 1}]}
    key = {"account_id": world.provider["account_id"], "key": ids(), "fingerprint": "f1"}
    first = service.create_request(world.provider, data, idempotency=key)
    assert service.create_request(world.provider, data, idempotency=key) == first
    with pytest.raises(Conflict):
        service.create_request(world.provider, data, idempotency={**key, "fingerprint": "f2"})
    event("request_submitted", request_id=first["id"])
    assert len(events("request_submitted", request_id=first["id"])) == 1


def test_messages_address_the_other_side(world, service):
    request = world.request(CANAL)
    service.add_interaction(world.provider, request["id"], "Segue radiografia", "document")
    from_provider = event("interaction_added", request_id=request["id"], author_side="provider")
    assert from_provider["audience"] == {"accounts": [], "provider": None,
                                         "staff_roles": ["operator", "auditor"]}
    service.add_interaction(world.auditor, request["id"], "Recebido")
    from_desk = event("interaction_added", request_id=request["id"], author_side="operator")
    assert from_desk["audience"]["provider"] == {"id": world.provider_id,
                                                 "roles": ["authorizations"]}


def test_author_names_follow_identity_and_are_asked_for_when_missing(world, service):
    unknown = ids()
    FakeIdentity.accounts[unknown] = {"id": unknown, "kind": "staff", "name": "Ulisses Novo",
                                      "email": "u@x.test", "status": "active"}
    newcomer = {"account_id": unknown, "kind": "staff", "roles": ["auditor"], "session_id": "s"}
    request = world.request(CANAL)
    service.add_interaction(newcomer, request["id"], "Olá")
    assert unknown in FakeIdentity.asked
    emit("account_updated", {"account_id": unknown, "kind": "staff", "name": "Ulisses Renomeado",
                             "email": "u@x.test"})

    def renamed() -> bool:
        timeline = service.list_interactions(world.provider, request["id"])["items"]
        return timeline[-1]["author"]["name"] == "Ulisses Renomeado"
    wait_until(renamed, 5, 0.05, what="the new name")


def test_files_are_readable_by_whoever_may_see_the_request(world, service, env):
    uploader = world.provider["account_id"]
    upload_id = ids()
    storage.store().put_stream(f"uploads/{upload_id}", io.BytesIO(b"%PDF-1.4 test"),
                               max_bytes=1024, allowed=None, filename="laudo.pdf",
                               metadata={"id": upload_id, "owner": uploader})
    request = world.request(CANAL, attachment_ids=[upload_id])
    assert [a["id"] for a in request["attachments"]] == [upload_id]
    may = service.may_read_attachment
    assert may(world.auditor, upload_id) and may(world.operator, upload_id)
    assert may(world.secretary(["authorizations"]), upload_id)
    assert may(world.secretary(["authorizations"], with_grants=False), upload_id)
    assert not may(world.secretary(["billing"]), upload_id)
    stranger = {**world.provider, "account_id": ids(), "provider_id": ids(), "acting_for": {}}
    assert not may(stranger, upload_id)
    assert not may(world.auditor, ids())
    with pytest.raises(InvalidInput) as error:  # someone else's upload
        world.request(CANAL, attachment_ids=[ids()])
    assert "attachment_ids.0" in error.value.errors


def test_payments_are_exact_and_tell_the_billing_side(world, service, env):
    request = world.request()
    recorded = service.record_payment(world.operator, {
        "provider_id": world.provider_id, "request_id": request["id"], "beneficiary": None,
        "invoice": {"number": "NF-1", "issued_on": "2026-11-20", "amount": "0.30"},
        "amount_paid": "0.10", "paid_on": "2026-11-30"})
    assert (recorded["amount_paid"], recorded["withheld"]) == ("0.10", "0.20")
    told = event("payment_registered", payment_id=recorded["id"])
    assert told["audience"] == {"accounts": [], "staff_roles": [],
                                "provider": {"id": world.provider_id, "roles": ["billing"]}}
    engine = sa.create_engine(f"sqlite:///{env[0]}/authorizations.db")
    with engine.connect() as conn:
        stored = conn.execute(sa.select(payments.c.withheld).where(
            payments.c.id == recorded["id"])).scalar_one()
    engine.dispose()
    assert stored == Decimal("0.20")
    other = ids()  # a provider whose pre-registration event has not arrived: identity answers
    FakeIdentity.providers[other] = {"id": other, "legal_name": "Clínica Nova"}
    service.record_payment(world.operator, {
        "provider_id": other, "invoice": {"number": "NF-2", "issued_on": "2026-11-20",
                                          "amount": "10"},
        "amount_paid": "10", "paid_on": "2026-11-30"})
    assert event("payment_registered", provider_id=other)["provider_legal_name"] == "Clínica Nova"


def test_inquiry_messages_address_the_other_side(world, service):
    inquiry = service.create_inquiry(world.secretary(["billing"]), {
        "provider_id": world.provider_id, "subject": "authorizations_payments",
        "message": "Quando?"})
    first = event("inquiry_message_added", inquiry_id=inquiry["id"])
    assert first["audience"] == {"accounts": [], "provider": None, "staff_roles": ["operator"]}
    service.add_inquiry_message(world.operator, inquiry["id"], "Amanhã.")
    answer = event("inquiry_message_added", inquiry_id=inquiry["id"], author_side="operator")
    assert answer["audience"]["provider"] == {"id": world.provider_id,
                                              "roles": ["authorizations", "billing"]}
    assert service.get_inquiry(world.provider, inquiry["id"])["status"] == "answered"


# -- issue 17 -----------------------------------------------------------------------------------

def appointment(provider_id: str) -> str:
    appointment_id = ids()
    FakeAttendance.appointments[appointment_id] = {"id": appointment_id,
                                                   "provider_id": provider_id,
                                                   "status": "booked"}
    return appointment_id


def test_an_incomplete_profile_may_save_drafts_but_not_submit(world, service):
    FakeIdentity.missing[world.provider_id] = ["address.street", "phones"]
    try:
        with pytest.raises(Conflict) as error:
            world.request()
        assert error.value.errors == {"profile": ["address.street", "phones"]}
        draft = world.request(draft=True)
        with pytest.raises(Conflict) as error:
            service.submit_request(world.provider, draft["id"])
        assert error.value.errors == {"profile": ["address.street", "phones"]}
        assert service.get_request(world.provider, draft["id"])["status"] == "draft"
    finally:
        FakeIdentity.missing.pop(world.provider_id)
    assert service.submit_request(world.provider, draft["id"])["status"] == "authorized"


def test_a_care_plan_names_an_appointment_booked_with_its_provider(world, service):
    mine = appointment(world.provider_id)
    request = world.request(appointment_id=mine)
    assert request["appointment_id"] == mine
    assert service.get_request(world.auditor, request["id"])["appointment_id"] == mine
    for wrong in (appointment(ids()), ids()):
        with pytest.raises(InvalidInput) as error:
            world.request(appointment_id=wrong, demand_type="internacao")
        assert set(error.value.errors) == {"appointment_id", "demand_type"}


def test_an_inquiry_names_the_providers_own_request_payment_or_appointment(world, service):
    request = world.request()
    payment = service.record_payment(world.operator, {
        "provider_id": world.provider_id, "invoice": {"number": "NF-9", "amount": "10",
                                                      "issued_on": "2026-11-20"},
        "amount_paid": "10", "paid_on": "2026-11-30"})
    mine = appointment(world.provider_id)
    base = {"provider_id": world.provider_id, "subject": "authorizations_payments",
            "message": "Sobre isto"}
    inquiry = service.create_inquiry(world.provider, {
        **base, "request_id": request["id"], "payment_id": payment["id"],
        "appointment_id": mine})
    assert (inquiry["request_id"], inquiry["payment_id"], inquiry["appointment_id"]) == (
        request["id"], payment["id"], mine)
    told = event("inquiry_message_added", inquiry_id=inquiry["id"])
    assert (told["payment_id"], told["appointment_id"]) == (payment["id"], mine)
    other = World(service)
    theirs = other.request()
    with pytest.raises(InvalidInput) as error:
        service.create_inquiry(world.provider, {
            **base, "request_id": theirs["id"], "payment_id": ids(),
            "appointment_id": appointment(other.provider_id)})
    assert set(error.value.errors) == {"request_id", "payment_id", "appointment_id"}


def test_an_appeal_carries_files_on_its_interaction(world, service):
    upload_id = ids()
    storage.store().put_stream(f"uploads/{upload_id}", io.BytesIO(b"%PDF-1.4 laudo"),
                               max_bytes=1024, allowed=None, filename="laudo.pdf",
                               metadata={"id": upload_id, "owner": world.provider["account_id"]})
    request = world.request(CANAL)
    with pytest.raises(Conflict):  # not denied: nothing claimed
        service.appeal_request(world.provider, request["id"], "cedo", [upload_id])
    service.decide_request(world.auditor, request["id"], "denied", None, "Sem laudo")
    with pytest.raises(InvalidInput) as error:
        service.appeal_request(world.provider, request["id"], "segue", [ids()])
    assert "attachment_ids.0" in error.value.errors
    appealed = service.appeal_request(world.provider, request["id"], "Segue laudo", [upload_id])
    assert appealed["status"] == "awaiting_audit"
    assert [a["id"] for a in appealed["attachments"]] == [upload_id]
    timeline = service.list_interactions(world.provider, request["id"])["items"]
    assert timeline[-1]["kind"] == "appeal"
    assert [a["id"] for a in timeline[-1]["attachments"]] == [upload_id]
    assert service.may_read_attachment(world.auditor, upload_id)
    assert event("request_appealed", request_id=request["id"])["attachments"] == 1


def test_a_payments_mistakes_are_reported_together(world, service):
    with pytest.raises(InvalidInput) as error:
        service.record_payment(world.operator, {
            "provider_id": ids(), "request_id": ids(),
            "invoice": {"number": "NF-3", "issued_on": "2026-11-20", "amount": "10.00"},
            "amount_paid": "10.01", "paid_on": "2026-11-30"})
    assert set(error.value.errors) == {"provider_id", "request_id", "amount_paid"}
