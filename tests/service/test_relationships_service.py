"""The relationships service in a real nameko container, on the in-process broker with SQLite:
identity's events feed its read models, RPC calls change state and publish through the outbox,
and a controllable clock drives expiry."""
from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcClient
from nameko.testing.services import entrypoint_hook

import ponte.broker  # noqa: F401  registers the in-process transport
from ponte.clock import Clock
from ponte.errors import BadRequest, Conflict, Forbidden, InvalidInput, NotFound
from services.relationships.domain.relationships import local_today
from services.relationships.models import metadata
from services.relationships.service import RelationshipsService
from tests.service import harness
from tests.service.harness import listener, running
from tests.stack import wait_until

EVENTS = ("invitation_sent", "invitation_accepted", "invitation_declined", "invitation_cancelled",
          "relationship_roles_changed", "relationship_ended", "relationship_expired")


class FakeIdentity:
    """Only what the relationships service asks identity: ``get_accounts``."""

    name = "identity"
    accounts: dict[str, dict] = {}

    @rpc
    def get_accounts(self, ids: list[str]) -> list[dict]:
        return [FakeIdentity.accounts[i] for i in ids if i in FakeIdentity.accounts]

    @rpc
    def ping(self) -> dict:
        return {"service": "identity", "status": "ok"}


Listener = listener("relationships", EVENTS)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("relationships")
    classes = {
        "relationships": RelationshipsService, "identity": FakeIdentity, "listener": Listener}
    with running(data, classes, PONTE_OPERATOR_NAME="Operadora Teste") as runner:
        yield data, runner


@pytest.fixture(scope="module")
def container(env):
    return next(c for c in env[1].containers if c.service_name == "relationships")


@pytest.fixture
def clock(container):
    clock = next(d for d in container.dependencies if isinstance(d, Clock))
    yield clock
    clock.offset = timedelta(0)


@pytest.fixture(scope="module")
def rpc_client(env):
    with ClusterRpcClient() as client:
        yield client.relationships


def emit(event_type: str, data: dict) -> str:
    """Publish an identity event the way identity's relay does."""
    return harness.emit("identity", event_type, data, occurred_at="2026-03-10T15:00:00Z")


def event(event_type: str, **match: object) -> dict:
    def found():
        for received in reversed(Listener.received):
            data = received["data"]
            if received["type"] == event_type and all(data.get(k) == v for k, v in match.items()):
                return data
        return None
    return wait_until(found, 5, 0.02, what=f"event {event_type} {match}")


def ids() -> str:
    return str(uuid.uuid4())


class World:
    """A provider with one login, and secretaries registered through identity's events."""

    def __init__(self, rpc_client) -> None:
        self.rpc = rpc_client
        self.provider_id, self.login = ids(), ids()
        emit("provider_preregistered", {
            "provider_id": self.provider_id, "document": "11222333000181",
            "legal_name": f"Clínica {self.provider_id[:4]}", "person_type": "organisation",
            "email": "clinica@ponte.test", "operator_account_id": ids(),
            "sites": [{"id": ids(), "name": "Sede", "email": "clinica@ponte.test",
                       "account_id": self.login}]})
        self.provider = {"account_id": self.login, "kind": "provider",
                         "provider_id": self.provider_id, "roles": [], "session_id": "s"}
        wait_until(lambda: self._known(), 5, 0.02, what="the provider read model")

    def _known(self) -> bool:
        """The pre-registration event has been handled: the provider is accredited."""
        return bool(self.rpc.list_accreditations(self.provider, self.provider_id)["items"])

    def secretary(self, name: str = "Ana") -> dict:
        account_id = ids()
        emit("secretary_registered", {"account_id": account_id, "email": f"{account_id}@x.test",
                                      "name": name, "cpf": "52998224725", "locale": "pt-BR"})
        caller = {"account_id": account_id, "kind": "secretary", "provider_id": None,
                  "roles": [], "session_id": "s"}
        FakeIdentity.accounts[account_id] = {"id": account_id, "kind": "secretary", "name": name,
                                             "email": f"{account_id}@x.test", "status": "active"}
        return caller

    def relate(self, secretary: dict, roles: list[str], until: str | None = None) -> dict:
        invitation = self.rpc.invite(self.provider, self.provider_id, secretary["account_id"],
                                     roles)
        return self.rpc.accept_invitation(secretary, invitation["id"], until)


@pytest.fixture
def world(rpc_client) -> World:
    return World(rpc_client)


def test_the_migration_creates_exactly_the_models(env, container):
    engine = sa.create_engine(f"sqlite:///{env[0]}/relationships.db")
    def ours(name, type_, parents) -> bool:  # the messaging tables are ponte.messaging's
        if type_ == "schema":
            return True
        return (name if type_ == "table" else parents.get("table_name")) in metadata.tables

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours,
                                                         "compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_a_preregistered_provider_is_accredited_to_the_operator(world, rpc_client):
    page = rpc_client.list_accreditations(world.provider, world.provider_id)
    assert page == {"items": [{"operator": "Operadora Teste", "ans_code": "000000",
                               "status": "active", "since": "2026-03-10"}],
                    "next_cursor": None}
    stranger = {**world.provider, "provider_id": ids()}
    with pytest.raises(NotFound):
        rpc_client.list_accreditations(stranger, world.provider_id)


def test_invite_accept_and_act_for_the_provider(env, world, rpc_client):
    ana = world.secretary("Ana")
    wait_until(lambda: _secretary_known(env, ana), 5, 0.02, what="Ana in the read model")
    invitation = rpc_client.invite(world.provider, world.provider_id, ana["account_id"],
                                   ["commercial", "billing"])
    assert invitation["status"] == "pending" and invitation["roles"] == ["billing", "commercial"]
    sent = event("invitation_sent", invitation_id=invitation["id"])
    assert sent["secretary_name"] == "Ana" and sent["provider_account_ids"] == [world.login]
    assert sent["provider_legal_name"].startswith("Clínica")

    mine = rpc_client.list_my_invitations(ana)["items"]
    assert [(i["id"], i["provider"]["id"]) for i in mine] == [(invitation["id"],
                                                                world.provider_id)]
    assert rpc_client.acting_for(ana["account_id"]) == []

    relationship = rpc_client.accept_invitation(ana, invitation["id"], None)
    assert relationship["status"] == "active" and relationship["ends_at"] is None
    assert event("invitation_accepted", relationship_id=relationship["id"])["roles"] == \
        ["billing", "commercial"]
    assert rpc_client.acting_for(ana["account_id"]) == [{
        "provider_id": world.provider_id, "legal_name": sent["provider_legal_name"],
        "roles": ["billing", "commercial"]}]
    assert rpc_client.list_my_invitations(ana)["items"] == []
    listed = rpc_client.list_provider_relationships(world.provider, world.provider_id)["items"]
    assert listed[0]["secretary"] == {"id": ana["account_id"], "name": "Ana",
                                      "email": f"{ana['account_id']}@x.test"}


def _secretary_known(env, secretary) -> bool:
    """Her ``secretary_registered`` event has been handled (not the RPC fallback to identity,
    which ``test_a_secretary_not_yet_in_the_read_model_is_asked_of_identity`` covers)."""
    engine = sa.create_engine(f"sqlite:///{env[0]}/relationships.db")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT name FROM secretaries WHERE id = :id"),
                           {"id": secretary["account_id"]}).first()
    engine.dispose()
    return row is not None and row.name == "Ana"


@pytest.mark.parametrize("roles", [[], ["admin"], ["billing", "root"]])
def test_empty_or_unknown_roles_are_refused(world, rpc_client, roles):
    with pytest.raises(InvalidInput) as error:
        rpc_client.invite(world.provider, world.provider_id, world.secretary()["account_id"],
                          roles)
    assert "roles" in error.value.errors


def test_a_duplicate_pending_or_active_invitation_is_a_conflict(world, rpc_client):
    bia = world.secretary("Bia")
    invitation = rpc_client.invite(world.provider, world.provider_id, bia["account_id"],
                                   ["billing"])
    with pytest.raises(Conflict):
        rpc_client.invite(world.provider, world.provider_id, bia["account_id"], ["commercial"])
    rpc_client.accept_invitation(bia, invitation["id"], None)
    with pytest.raises(Conflict):
        rpc_client.invite(world.provider, world.provider_id, bia["account_id"], ["commercial"])
    with pytest.raises(Conflict):
        rpc_client.accept_invitation(bia, invitation["id"], None)


def test_a_secretary_not_yet_in_the_read_model_is_asked_of_identity(world, rpc_client):
    account_id = ids()
    FakeIdentity.accounts[account_id] = {"id": account_id, "kind": "secretary",
                                         "name": "Cida", "email": "cida@x.test",
                                         "status": "active"}
    invitation = rpc_client.invite(world.provider, world.provider_id, account_id, ["billing"])
    assert invitation["secretary"]["name"] == "Cida"
    assert event("invitation_sent", invitation_id=invitation["id"])["secretary_email"] == \
        "cida@x.test"


def test_only_secretaries_can_be_invited(world, rpc_client):
    citizen = ids()
    FakeIdentity.accounts[citizen] = {"id": citizen, "kind": "citizen", "name": "Zé",
                                      "email": "ze@x.test", "status": "active"}
    with pytest.raises(InvalidInput) as error:
        rpc_client.invite(world.provider, world.provider_id, citizen, ["billing"])
    assert "secretary_id" in error.value.errors
    with pytest.raises(NotFound):
        rpc_client.invite(world.provider, world.provider_id, ids(), ["billing"])


@pytest.mark.parametrize("until", ["2000-01-01", "today"])
def test_until_must_be_a_future_date(world, rpc_client, until):
    dora = world.secretary("Dora")
    invitation = rpc_client.invite(world.provider, world.provider_id, dora["account_id"],
                                   ["billing"])
    if until == "today":
        until = local_today(_now()).isoformat()
    with pytest.raises(InvalidInput) as error:
        rpc_client.accept_invitation(dora, invitation["id"], until)
    assert "until" in error.value.errors


def test_the_term_proposed_on_inviting_applies_unless_the_secretary_answers_another(
        world, rpc_client):
    """PORTAL.md's "Novo relacionamento" picks "Tempo indeterminado" or an end date; the
    secretary's acceptance keeps it, or answers with her own (000: the term at "Aceitar
    convite")."""
    last_day = (local_today(_now()) + timedelta(days=30)).isoformat()
    kept, changed, indefinite = (world.secretary(n) for n in ("Eva", "Gil", "Ivo"))
    invited = [rpc_client.invite(world.provider, world.provider_id, who["account_id"],
                                 ["billing"], until=until)
               for who, until in ((kept, last_day), (changed, last_day), (indefinite, None))]
    assert [i["until"] for i in invited] == [last_day, last_day, None]
    mine = rpc_client.list_my_invitations(kept, 50, None)["items"]
    assert [i["until"] for i in mine] == [last_day]
    assert rpc_client.accept_invitation(kept, invited[0]["id"], None,
                                        as_proposed=True)["until"] == last_day
    assert rpc_client.accept_invitation(changed, invited[1]["id"], None)["until"] is None
    assert rpc_client.accept_invitation(indefinite, invited[2]["id"], None,
                                        as_proposed=True)["until"] is None


def test_a_proposed_term_must_end_after_today_and_is_named_with_the_other_mistakes(
        world, rpc_client):
    hugo = world.secretary("Hugo")
    with pytest.raises(InvalidInput) as error:
        rpc_client.invite(world.provider, world.provider_id, hugo["account_id"], ["nope"],
                          until=local_today(_now()).isoformat())
    assert set(error.value.errors) >= {"until", "roles"}
    pending = rpc_client.list_provider_invitations(world.provider, world.provider_id,
                                                   "pending", 200, None)["items"]
    assert hugo["account_id"] not in [i["secretary_id"] for i in pending]


def _now():
    from datetime import datetime
    return datetime.now(UTC)


def test_only_the_invited_secretary_can_answer(world, rpc_client):
    eva, fia = world.secretary("Eva"), world.secretary("Fia")
    invitation = rpc_client.invite(world.provider, world.provider_id, eva["account_id"],
                                   ["billing"])
    with pytest.raises(NotFound):
        rpc_client.accept_invitation(fia, invitation["id"], None)
    with pytest.raises(NotFound):
        rpc_client.decline_invitation(fia, invitation["id"])
    declined = rpc_client.decline_invitation(eva, invitation["id"])
    assert declined["status"] == "declined"
    assert event("invitation_declined", invitation_id=invitation["id"])["secretary_name"] == "Eva"
    statuses = {i["id"]: i["status"] for i in rpc_client.list_provider_invitations(
        world.provider, world.provider_id)["items"]}
    assert statuses[invitation["id"]] == "declined"


def test_a_secretary_with_manage_relationships_manages_for_the_provider(world, rpc_client):
    gil, hana, ines = world.secretary("Gil"), world.secretary("Hana"), world.secretary("Ines")
    world.relate(gil, ["manage_relationships"])
    world.relate(hana, ["billing"])
    invitation = rpc_client.invite(gil, world.provider_id, ines["account_id"], ["commercial"])
    assert event("invitation_sent", invitation_id=invitation["id"])["invited_by"] == \
        gil["account_id"]
    with pytest.raises(Forbidden):
        rpc_client.invite(hana, world.provider_id, ines["account_id"], ["billing"])
    with pytest.raises(Forbidden):
        rpc_client.list_provider_relationships(hana, world.provider_id)
    assert rpc_client.list_accreditations(hana, world.provider_id)["items"]


def test_roles_change_by_the_provider_side_only(world, rpc_client):
    jo, kim = world.secretary("Jo"), world.secretary("Kim")
    manager = world.relate(jo, ["manage_relationships"])
    relationship = world.relate(kim, ["billing"])
    changed = rpc_client.change_roles(jo, relationship["id"], ["authorizations", "billing"])
    assert changed["roles"] == ["authorizations", "billing"]
    data = event("relationship_roles_changed", relationship_id=relationship["id"])
    assert data["previous_roles"] == ["billing"] and data["changed_by"] == jo["account_id"]
    assert rpc_client.acting_for(kim["account_id"])[0]["roles"] == ["authorizations", "billing"]
    with pytest.raises(Forbidden):
        rpc_client.change_roles(kim, relationship["id"], ["commercial"])
    with pytest.raises(Forbidden):  # not even a manager may widen her own roles
        rpc_client.change_roles(jo, manager["id"], list(("billing", "manage_relationships")))
    stranger = {**world.provider, "account_id": ids(), "provider_id": ids()}
    with pytest.raises(NotFound):
        rpc_client.change_roles(stranger, relationship["id"], ["billing"])
    with pytest.raises(InvalidInput):
        rpc_client.change_roles(world.provider, relationship["id"], [])


def test_either_side_ends_and_grants_stop_at_once(world, rpc_client):
    lia, mel = world.secretary("Lia"), world.secretary("Mel")
    first, second = world.relate(lia, ["billing"]), world.relate(mel, ["commercial"])
    ended = rpc_client.end_relationship(lia, first["id"])
    assert ended["status"] == "ended" and ended["ends_at"]
    assert event("relationship_ended", relationship_id=first["id"])["ended_by"] == "secretary"
    assert rpc_client.acting_for(lia["account_id"]) == []
    with pytest.raises(Forbidden):
        rpc_client.list_accreditations(lia, world.provider_id)
    with pytest.raises(Conflict):
        rpc_client.end_relationship(world.provider, first["id"])
    rpc_client.end_relationship(world.provider, second["id"])
    assert event("relationship_ended", relationship_id=second["id"])["ended_by"] == "provider"
    assert rpc_client.list_my_relationships(mel)["items"][0]["status"] == "ended"
    # after an ending, a new invitation is possible
    rpc_client.invite(world.provider, world.provider_id, lia["account_id"], ["billing"])


def test_expiry_reads_at_once_and_is_recorded_by_the_job(world, rpc_client, container, clock):
    nina = world.secretary("Nina")
    tomorrow = (local_today(_now()) + timedelta(days=1)).isoformat()
    relationship = world.relate(nina, ["billing"], until=tomorrow)
    assert relationship["until"] == tomorrow and relationship["ends_at"].endswith("03:00:00Z")
    assert rpc_client.acting_for(nina["account_id"])

    clock.offset = timedelta(days=2)
    assert rpc_client.acting_for(nina["account_id"]) == []          # before the job runs
    listed = rpc_client.list_my_relationships(nina)["items"]
    assert listed[0]["status"] == "expired"
    with entrypoint_hook(container, "expire_relationships") as expire_relationships:
        assert expire_relationships() >= 1
    data = event("relationship_expired", relationship_id=relationship["id"])
    assert data["secretary_id"] == nina["account_id"] and data["until"] == tomorrow
    with entrypoint_hook(container, "expire_relationships") as expire_relationships:
        assert expire_relationships() == 0
    with pytest.raises(Conflict):
        rpc_client.change_roles(world.provider, relationship["id"], ["commercial"])


def test_a_deleted_secretary_loses_her_relationships_and_invitations(world, rpc_client):
    olga = world.secretary("Olga")
    relationship = world.relate(olga, ["billing"])
    other = World(rpc_client)
    invitation = rpc_client.invite(other.provider, other.provider_id, olga["account_id"],
                                   ["commercial"])
    emit("account_deleted", {"account_id": olga["account_id"], "kind": "secretary",
                             "email": "olga@x.test", "name": "Olga", "provider_id": None,
                             "locale": "pt-BR"})
    ended = event("relationship_ended", relationship_id=relationship["id"])
    assert ended["ended_by"] == "account_deleted"
    assert event("invitation_cancelled", invitation_id=invitation["id"])["reason"] == \
        "account_deleted"
    assert rpc_client.acting_for(olga["account_id"]) == []
    with pytest.raises(NotFound):
        rpc_client.invite(world.provider, world.provider_id, olga["account_id"], ["billing"])


def test_a_provider_whose_last_login_is_deleted_ends_its_relationships(world, rpc_client):
    pia = world.secretary("Pia")
    relationship = world.relate(pia, ["billing"])
    emit("account_deleted", {"account_id": world.login, "kind": "provider",
                             "email": "clinica@ponte.test", "name": "Clínica",
                             "provider_id": world.provider_id, "locale": "pt-BR"})
    assert event("relationship_ended", relationship_id=relationship["id"])["ended_by"] == \
        "account_deleted"


def test_lists_are_paged_newest_first(world, rpc_client):
    invited = [rpc_client.invite(world.provider, world.provider_id,
                                 world.secretary(f"S{n}")["account_id"], ["billing"])["id"]
               for n in range(3)]
    first = rpc_client.list_provider_invitations(world.provider, world.provider_id, limit=2)
    second = rpc_client.list_provider_invitations(world.provider, world.provider_id, limit=2,
                                                  cursor=first["next_cursor"])
    assert [i["id"] for i in first["items"] + second["items"]] == invited[::-1]
    assert second["next_cursor"] is None
    with pytest.raises(BadRequest):
        rpc_client.list_provider_invitations(world.provider, world.provider_id, cursor="x!")


def test_data_dir_holds_the_service_database(env):
    assert (Path(env[0]) / "relationships.db").exists()


def test_a_secretarys_providers_show_type_document_and_email(world, rpc_client):
    """Issue 17 item 10 (000 §4.2): her list names each provider's type, CNPJ/CPF and e-mail,
    kept from identity's events."""
    emit("provider_registered", {
        "provider_id": world.provider_id, "site_id": ids(), "account_id": world.login,
        "email": "clinica@ponte.test", "name": "Clínica", "provider_type": "dentist",
        "locale": "pt-BR"})
    ana = world.secretary("Ana")
    world.relate(ana, ["billing"])

    def provider() -> dict | None:
        [mine] = rpc_client.list_my_relationships(ana)["items"]
        return mine["provider"] if mine["provider"]["provider_type"] else None

    assert wait_until(provider, 5, 0.02, what="the provider's type") == {
        "id": world.provider_id, "legal_name": f"Clínica {world.provider_id[:4]}",
        "provider_type": "dentist", "document": "11222333000181",
        "email": "clinica@ponte.test"}


def test_an_invitation_answers_every_field_error_at_once(world, rpc_client):
    """Issue 17 item 4: the edge's form errors, unknown roles and an account that is no
    secretary come back together."""
    FakeIdentity.accounts[world.login] = {"id": world.login, "kind": "provider", "name": "C",
                                          "email": "c@x.test", "status": "active"}
    with pytest.raises(InvalidInput) as refused:
        rpc_client.invite(world.provider, world.provider_id, world.login, ["boss"])
    assert set(refused.value.errors) == {"roles", "secretary_id"}
    with pytest.raises(InvalidInput) as refused:
        rpc_client.invite(world.provider, world.provider_id, ids(), ["billing"],
                          form_errors={"note": ["Unknown field."]})
    assert set(refused.value.errors) == {"note", "secretary_id"}
    with pytest.raises(NotFound):
        rpc_client.invite(world.provider, world.provider_id, ids(), ["billing"])
