"""The identity service with a real SQLite database: nameko's ``worker_factory`` for the RPCs as
the gateway calls them, and the use cases with a controllable clock where time matters. Events
are read from the outbox and checked against docs/events.md; link tokens are taken from them."""
from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import eventlet
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from nameko.testing.services import worker_factory
from sqlalchemy.orm import sessionmaker

from ponte import config, messaging, storage
from ponte.db import WorkerDatabase, create_engine_for, migrate
from ponte.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PonteError,
    ServiceUnavailable,
    TooManyAttempts,
    Unauthenticated,
)
from ponte.messaging import Event
from ponte.tokens import verify_access_token
from services.identity import service as identity_service
from services.identity.domain.passwords import Passwords
from services.identity.repository import Repository
from services.identity.service import IdentityService
from services.identity.usecases import accounts, context, registration, sessions
from tests.stack import new_cpf

ROOT = Path(__file__).resolve().parents[2]
FAST = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
SECRET = "s" * 48
ADMIN = {"email": "root@ponte.test", "password": "Root#2026"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + b"\0" * 64


def documented_events() -> dict[str, set[str]]:
    """Event type → its data fields, from the identity table of docs/events.md."""
    text = (ROOT / "docs" / "events.md").read_text()
    section = text.split("## identity", 1)[1].split("\n## ", 1)[0]
    found = {}
    for name, data in re.findall(r"^\| `(\w+)` \| (.+?) \|", section, re.M):
        data = re.sub(r"\[[^\]]*\]|\([^)]*\)|—.*|`", "", data)
        found[name] = {part.split(":")[0].strip() for part in data.split(",") if part.strip()}
    return found


class _Database:
    """What :class:`ponte.db.WorkerDatabase` needs from the nameko dependency."""

    service = "identity"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.reads = sessionmaker(create_engine_for("identity", reads=True))
        self.relay = SimpleNamespace(wake=lambda: None)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PONTE_SECRET_KEY", SECRET)
    monkeypatch.setenv("PONTE_ADMIN_EMAIL", ADMIN["email"])
    monkeypatch.setenv("PONTE_ADMIN_PASSWORD", ADMIN["password"])
    for name in ("PONTE_DB_URL", "PONTE_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    config.settings.cache_clear()
    engine = create_engine_for("identity")
    migrate("identity", engine)
    yield WorkerDatabase(_Database(engine), SimpleNamespace(entrypoint=None))
    engine.dispose()
    config.settings.cache_clear()


@pytest.fixture
def service(db, monkeypatch):
    monkeypatch.setattr(identity_service, "passwords", lambda: FAST)
    worker = worker_factory(IdentityService, db=db, started_up=eventlet.Event())
    with pytest.raises(ServiceUnavailable):
        worker.ping()  # not ready before the start-up work is done
    worker.bootstrap_admin()
    assert worker.ping()["status"] == "ok"
    return worker


def send_asked_resets(service, db) -> None:
    """What identity's own handler does with each ``password_reset_asked`` after the answer."""
    for data in events(db, "password_reset_asked"):
        service.send_password_reset(Event("e", "password_reset_asked", "identity", "", data))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def identity(db, clock):
    return context(db, FAST, clock)


def events(db, event_type: str | None = None) -> list[dict]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(messaging.outbox.c.payload)
                            .order_by(messaging.outbox.c.seq)).scalars().all()
    return [r["data"] for r in rows if event_type in (None, r["type"])]


def caller_of(session: dict, secret: str = SECRET) -> dict:
    claims = verify_access_token(session["access_token"], secret)
    return {"account_id": claims.account_id, "kind": claims.kind, "roles": list(claims.roles),
            "provider_id": claims.provider_id, "session_id": claims.session_id}


def secretary(**changes) -> dict:
    email = f"sec-{uuid.uuid4().hex[:8]}@ponte.test"
    return {"cpf": new_cpf(), "email": email, "email_confirmation": email, "name": "Sara Souza",
            "sex": "female", "password": "Secret#1", "password_confirmation": "Secret#1",
            "accepted_terms": True, **changes}


def admin(service) -> dict:
    return caller_of(service.login(ADMIN["email"], ADMIN["password"]))


def test_bootstrap_admin_is_created_once(service, db):
    service.bootstrap_admin()
    session = service.login(ADMIN["email"].upper(), ADMIN["password"])
    me = service.get_me(caller_of(session))
    assert me["kind"] == "staff" and me["roles"] == ["admin"]
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM accounts")).scalar() == 1


def test_replicas_racing_to_create_the_admin_do_not_fail(identity, db, monkeypatch):
    """Both replicas find the e-mail free, then one loses on the unique constraint."""
    registration.bootstrap_admin(identity, "race@ponte.test", "Race#2026")
    monkeypatch.setattr(Repository, "account_by_email", lambda self, email: None)
    registration.bootstrap_admin(identity, "race@ponte.test", "Race#2026")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM accounts WHERE email_key = "
                                    "'race@ponte.test'")).scalar() == 1


def test_every_identity_event_carries_the_documented_fields(service, db):
    """Drive every flow once, then compare each payload with docs/events.md."""
    operator = admin(service)
    service.register_citizen({"cpf": new_cpf(), "email": "cida@ponte.test", "name": "Cida",
                              "password": "Citizen#1", "password_confirmation": "Citizen#1",
                              "accepted_terms": True})
    body = secretary()
    service.register_secretary(body)
    staff = service.create_staff(operator, {"email": "olga@ponte.test", "name": "Olga",
                                            "roles": ["operator"]})
    assert staff["roles"] == ["operator"] and staff["kind"] == "staff"
    provider = service.preregister_provider(operator, {
        "document": "11.222.333/0001-81", "legal_name": "Rede", "email": "rede@ponte.test"})
    token = events(db, "provider_invited")[0]["token"]
    service.complete_registration(token, {"provider_type": "clinic", "password": "Clinic#1",
                                          "password_confirmation": "Clinic#1",
                                          "accepted_terms": True})
    session = service.login(body["email"], "Secret#1")
    me = caller_of(session)
    service.update_me(me, {"name": "Sara Lima"})
    service.change_email(me, {"current_password": "Secret#1", "new_email": "sara@ponte.test"})
    service.change_password(me, {"current_password": "Secret#1", "new_password": "Secret#2",
                                 "new_password_confirmation": "Secret#2"})
    service.request_password_reset("sara@ponte.test")
    send_asked_resets(service, db)
    service.delete_me(me, {"current_password": "Secret#2"})
    documented = documented_events()
    published = {}
    for payload_type in documented:
        for data in events(db, payload_type):
            published.setdefault(payload_type, data)
    assert set(published) == set(documented), set(documented) - set(published)
    for event_type, data in published.items():
        assert set(data) == documented[event_type], event_type
    assert published["provider_preregistered"]["sites"][0]["account_id"]
    assert published["provider_preregistered"]["provider_id"] == provider["id"]
    assert set(published["provider_preregistered"]["sites"][0]) == {"id", "name", "email",
                                                                     "account_id"}


def test_a_taken_email_or_cpf_conflicts_but_a_citizen_may_share_the_cpf(service):
    body = secretary()
    created = service.register_secretary(body)
    assert created == {"id": created["id"], "kind": "secretary", "name": "Sara Souza",
                       "email": body["email"]}
    with pytest.raises(Conflict) as taken:
        service.register_secretary(secretary(email=body["email"].upper(),
                                             email_confirmation=body["email"]))
    assert "email" in taken.value.errors
    with pytest.raises(Conflict) as taken:
        service.register_secretary(secretary(cpf=body["cpf"]))
    assert "cpf" in taken.value.errors
    citizen = service.register_citizen({**secretary(cpf=body["cpf"]), "sex": None})
    assert citizen["kind"] == "citizen"


def test_a_cpf_naming_two_accounts_asks_for_the_email_after_a_correct_password(service):
    """Issue 7: a CPF shared by a secretary and a citizen signed into whichever account's
    password matched; now neither, and only a correct password learns why."""
    body = secretary()
    service.register_secretary(body)
    citizen = {**secretary(cpf=body["cpf"]), "password": "Other#22",
               "password_confirmation": "Other#22"}
    service.register_citizen(citizen)
    for password in ("Secret#1", "Other#22"):
        with pytest.raises(Conflict) as refused:  # API.md: 409 with errors.login
            service.login(body["cpf"], password)
        assert refused.value.detail == sessions.SEVERAL_ACCOUNTS
        assert refused.value.errors == {"login": [sessions.SEVERAL_ACCOUNTS]}
    with pytest.raises(Unauthenticated) as refused:
        service.login(body["cpf"], "Wrong#123")
    assert refused.value.detail == sessions.BAD_CREDENTIALS
    assert service.login(body["email"], "Secret#1")["account"]["kind"] == "secretary"
    assert service.login(citizen["email"], "Other#22")["account"]["kind"] == "citizen"


def test_reusing_a_rotated_refresh_token_ends_the_session(service, db):
    body = secretary()
    service.register_secretary(body)
    first = service.login(body["email"], "Secret#1", True)
    assert first["refresh_expires_in"] == config.settings().remember_me_ttl
    second = service.refresh(first["refresh_token"])
    assert caller_of(second)["session_id"] == caller_of(first)["session_id"]
    third = service.refresh(second["refresh_token"])
    with pytest.raises(Unauthenticated):
        service.refresh(first["refresh_token"])  # a copy: the session ends
    with pytest.raises(Unauthenticated):
        service.refresh(third["refresh_token"])
    session_id = caller_of(first)["session_id"]
    assert events(db, "sessions_revoked")[-1]["session_ids"] == [session_id]
    assert session_id in service.recent_revocations(60)
    forged = f"{session_id}.{'x' * 43}"
    with pytest.raises(Unauthenticated):
        service.refresh(forged)


def test_logout_revokes_only_that_session(service, db):
    body = secretary()
    service.register_secretary(body)
    one, two = service.login(body["email"], "Secret#1"), service.login(body["email"], "Secret#1")
    service.logout(caller_of(one))
    with pytest.raises(Unauthenticated):
        service.refresh(one["refresh_token"])
    assert service.refresh(two["refresh_token"])["access_token"]
    assert events(db, "sessions_revoked") == [{"account_id": caller_of(one)["account_id"],
                                               "session_ids": [caller_of(one)["session_id"]]}]


def test_lockout_follows_the_clock(identity, clock):
    registration.register(identity, "citizen", {**secretary(email="l@ponte.test"), "sex": None})
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sessions.login(identity, "L@ponte.test", "Wrong#123")
    with pytest.raises(TooManyAttempts) as locked:
        sessions.login(identity, "l@ponte.test", "Secret#1")
    assert locked.value.retry_after == 60
    clock.advance(seconds=60)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sessions.login(identity, "l@ponte.test", "Wrong#123")
    with pytest.raises(TooManyAttempts) as locked:
        sessions.login(identity, "l@ponte.test", "Secret#1")
    assert locked.value.retry_after == 120
    clock.advance(seconds=120)
    assert sessions.login(identity, "l@ponte.test", "Secret#1")["access_token"]
    for _ in range(5):  # the success reset the doubling
        with pytest.raises(Unauthenticated):
            sessions.login(identity, "l@ponte.test", "Wrong#123")
    with pytest.raises(TooManyAttempts) as locked:
        sessions.login(identity, "l@ponte.test", "Secret#1")
    assert locked.value.retry_after == 60


def test_unknown_logins_are_answered_and_locked_like_known_ones(identity):
    answers = []
    for login in ("ghost@ponte.test", "52998224725", "12ABC34501DE35", "gibberish"):
        for _ in range(5):
            with pytest.raises(Unauthenticated) as refused:
                sessions.login(identity, login, "Wrong#123")
            answers.append(refused.value.detail)
        with pytest.raises(TooManyAttempts):
            sessions.login(identity, login, "Wrong#123")
    assert set(answers) == {sessions.BAD_CREDENTIALS}


def test_password_reset_links_expire_after_an_hour_and_work_once(identity, clock, db):
    registration.register(identity, "citizen", {**secretary(email="r@ponte.test"), "sex": None})
    accounts.send_password_reset(identity, "R@ponte.test")
    accounts.send_password_reset(identity, "unknown@ponte.test")
    sent = events(db, "password_reset_requested")
    assert len(sent) == 1 and sent[0]["email"] == "r@ponte.test"
    assert sent[0]["expires_at"] == "2026-11-23T13:00:00Z"
    new = {"password": "Reset#123", "password_confirmation": "Reset#123"}
    clock.advance(minutes=61)
    with pytest.raises(NotFound):
        accounts.reset_password(identity, sent[0]["token"], new)
    accounts.send_password_reset(identity, "r@ponte.test")
    token = events(db, "password_reset_requested")[-1]["token"]
    session = sessions.login(identity, "r@ponte.test", "Secret#1")
    accounts.reset_password(identity, token, new)
    with pytest.raises(NotFound):
        accounts.reset_password(identity, token, new)
    with pytest.raises(Unauthenticated):
        sessions.refresh(identity, session["refresh_token"])
    assert sessions.login(identity, "r@ponte.test", "Reset#123")["access_token"]


def test_a_newer_reset_link_replaces_the_older_one(identity, db):
    registration.register(identity, "citizen", {**secretary(email="n@ponte.test"), "sex": None})
    accounts.send_password_reset(identity, "n@ponte.test")
    accounts.send_password_reset(identity, "n@ponte.test")
    older, newer = (e["token"] for e in events(db, "password_reset_requested"))
    new = {"password": "Reset#123", "password_confirmation": "Reset#123"}
    with pytest.raises(NotFound):
        accounts.reset_password(identity, older, new)
    accounts.reset_password(identity, newer, new)


def test_staff_set_their_password_within_seven_days(service, identity, clock, db):
    service.create_staff(admin(service), {"email": "s@ponte.test", "name": "S",
                                          "roles": ["auditor", "admin"]})
    token = events(db, "staff_created")[0]["token"]
    with pytest.raises(Unauthenticated):  # no password yet
        sessions.login(identity, "s@ponte.test", "")
    clock.advance(days=6, hours=23)
    accounts.reset_password(identity, token, {"password": "Staff#123",
                                              "password_confirmation": "Staff#123"})
    roles = caller_of(sessions.login(identity, "s@ponte.test", "Staff#123"))["roles"]
    assert roles == ["admin", "auditor"]


def test_only_admins_create_staff_and_only_operators_preregister(service):
    body = secretary()
    service.register_secretary(body)
    someone = caller_of(service.login(body["email"], "Secret#1"))
    with pytest.raises(Forbidden):
        service.create_staff(someone, {"email": "x@ponte.test", "name": "X", "roles": ["admin"]})
    with pytest.raises(Forbidden):
        service.preregister_provider(someone, {"document": "11222333000181",
                                               "legal_name": "X", "email": "x@ponte.test"})


def test_each_site_of_a_provider_completes_its_own_registration(service, db):
    operator = admin(service)
    created = service.preregister_provider(operator, {
        "document": "12ABC34501DE35", "legal_name": "Rede", "email": "rede@ponte.test",
        "sites": [{"name": "A", "email": "same@ponte.test"},
                  {"name": "B", "email": "SAME@ponte.test"},
                  {"name": "C", "email": "c@ponte.test"}]})
    assert created["document"] == "12ABC34501DE35"
    invites = events(db, "provider_invited")
    assert [i["site_name"] for i in invites] == ["A", "B", "C"]
    assert [service.get_registration(i["token"])["email_shared"] for i in invites] == [
        True, True, False]
    base = {"password": "Clinic#1", "password_confirmation": "Clinic#1", "accepted_terms": True}
    with pytest.raises(InvalidInput) as refused:
        service.complete_registration(invites[0]["token"], {**base, "provider_type": "clinic"})
    assert set(refused.value.errors) == {"email"}
    service.complete_registration(invites[0]["token"], {**base, "provider_type": "clinic",
                                                        "email": "a@ponte.test"})
    with pytest.raises(Conflict):
        service.complete_registration(invites[1]["token"], {**base, "email": "A@ponte.test"})
    with pytest.raises(InvalidInput):
        service.complete_registration(invites[1]["token"], {
            **base, "provider_type": "hospital", "email": "b@ponte.test"})
    service.complete_registration(invites[1]["token"], {**base, "email": "b@ponte.test"})
    service.complete_registration(invites[2]["token"], {**base})
    with pytest.raises(NotFound):
        service.get_registration(invites[2]["token"])
    with pytest.raises(Conflict) as ambiguous:  # three site logins: the CNPJ is ambiguous
        service.login("12ABC34501DE35", "Clinic#1")
    assert ambiguous.value.errors == {"login": [sessions.SEVERAL_SITES]}  # API.md, issue 17
    with pytest.raises(Unauthenticated):  # a wrong password learns nothing
        service.login("12ABC34501DE35", "Wrong#123")
    me = service.get_me(caller_of(service.login("c@ponte.test", "Clinic#1")))
    assert me["provider"]["provider_type"] == "clinic"
    assert me["acting_for"][0]["provider_id"] == created["id"]
    with pytest.raises(Conflict):
        service.preregister_provider(operator, {"document": "12ABC34501DE35",
                                                "legal_name": "Again", "email": "x@ponte.test"})
    with pytest.raises(Conflict) as taken:
        service.preregister_provider(operator, {"document": "11222333000181",
                                                "legal_name": "New", "email": "n@ponte.test",
                                                "sites": [{"name": "Z", "email": "a@ponte.test"}]})
    assert set(taken.value.errors) == {"sites.0.email"}


def test_an_unfinished_provider_asking_for_a_reset_gets_a_new_invitation(service, db):
    service.preregister_provider(admin(service), {
        "document": "11222333000181", "legal_name": "Late", "email": "late@ponte.test"})
    service.request_password_reset("late@ponte.test")
    send_asked_resets(service, db)
    first, second = events(db, "provider_invited")
    assert first["token"] != second["token"] and not events(db, "password_reset_requested")
    with pytest.raises(NotFound):
        service.get_registration(first["token"])
    assert service.get_registration(second["token"])["legal_name"] == "Late"


def _provider(service, db) -> tuple[dict, dict]:
    created = service.preregister_provider(admin(service), {
        "document": "11222333000181", "legal_name": "Sorriso", "email": "p@ponte.test"})
    token = events(db, "provider_invited")[-1]["token"]
    service.complete_registration(token, {"provider_type": "dentist", "password": "Clinic#1",
                                          "password_confirmation": "Clinic#1",
                                          "accepted_terms": True})
    return created, caller_of(service.login("11.222.333/0001-81", "Clinic#1"))


def test_only_the_provider_side_edits_its_profile_and_images(service, db):
    created, me = _provider(service, db)
    profile = service.update_provider_profile(me, created["id"], {
        "phones": ["41 3333-4444"], "opening_hours": "8h-18h",
        "address": {"street": "Rua A", "city": "Curitiba"}})
    assert profile["profile"]["address"]["city"] == "Curitiba"
    assert profile["profile"]["address"]["district"] is None
    key = f"providers/{created['id']}/images/{uuid.uuid4()}"
    stored = storage.store().put_stream(key, io.BytesIO(PNG), max_bytes=1024,
                                        allowed=storage.IMAGE_TYPES, filename="a.png",
                                        metadata={})
    image = service.add_provider_image(me, created["id"], {
        "id": key.rsplit("/", 1)[1], "key": key, "filename": "a.png",
        "content_type": stored.content_type, "size": stored.size, "sha256": stored.sha256})
    assert image["url"] == f"http://127.0.0.1:8000/api/v1/providers/{created['id']}/images/" \
                           f"{image['id']}"
    assert service.get_provider(created["id"])["profile"]["images"] == [image]
    other = {**me, "provider_id": str(uuid.uuid4())}
    with pytest.raises(Forbidden):
        service.remove_provider_image(other, created["id"], image["id"])
    service.remove_provider_image(me, created["id"], image["id"])
    assert not storage.store().exists(key)
    with pytest.raises(NotFound):
        service.remove_provider_image(me, created["id"], image["id"])


def test_a_deleted_provider_login_is_refused_and_its_public_data_kept(service, db):
    created, me = _provider(service, db)
    with pytest.raises(InvalidInput) as wrong:
        service.delete_me(me, {"current_password": "Wrong#1"})
    assert set(wrong.value.errors) == {"current_password"}
    service.delete_me(me, {"current_password": "Clinic#1"})
    deleted = events(db, "account_deleted")[-1]
    assert deleted["provider_id"] == created["id"] and deleted["kind"] == "provider"
    assert me["session_id"] in events(db, "sessions_revoked")[-1]["session_ids"]
    with pytest.raises(Unauthenticated):
        service.login("p@ponte.test", "Clinic#1")
    with pytest.raises(Unauthenticated):
        service.get_me(me)
    public = service.get_provider(created["id"])
    assert public["legal_name"] == "Sorriso" and public["status"] == "deleted"


def test_changing_the_password_keeps_only_the_current_session(service, db):
    body = secretary()
    service.register_secretary(body)
    current = service.login(body["email"], "Secret#1")
    other = service.login(body["email"], "Secret#1")
    with pytest.raises(InvalidInput) as weak:
        service.change_password(caller_of(current), {
            "current_password": "Secret#1", "new_password": "weak",
            "new_password_confirmation": "weak"})
    assert "new_password" in weak.value.errors
    service.change_password(caller_of(current), {
        "current_password": "Secret#1", "new_password": "Secret#2",
        "new_password_confirmation": "Secret#2"})
    assert events(db, "sessions_revoked")[-1]["session_ids"] == [caller_of(other)["session_id"]]
    assert service.refresh(current["refresh_token"])["access_token"]
    with pytest.raises(Unauthenticated):
        service.refresh(other["refresh_token"])


def test_find_secretaries_pages_by_name(service):
    ids = [service.register_secretary(secretary(name=f"Zoé {n}"))["id"] for n in range(5)]
    service.register_citizen({**secretary(name="Zoé citizen"), "sex": None})
    seen, cursor = [], None
    while True:
        page = service.find_secretaries(name="zoe", limit=2, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert service.find_secretaries(name="100%")["items"] == []
    with pytest.raises(InvalidInput):
        service.find_secretaries()
    with pytest.raises(InvalidInput):  # API.md: each word at least 3 characters
        service.find_secretaries(name="zoé 3")


@pytest.mark.parametrize("query, found", [
    ("souza", True), ("SOUZA ana", True), ("mar sou", True), ("joão", True),
    ("ouza", False), ("souza pereira", False), ("maria-souza", True),
])
def test_find_secretaries_by_any_word_of_the_name(service, query, found):
    """Issue 17 item 8: each word of the query starts some word of the name, ignoring case and
    accents, whatever the order; e-mails stay masked."""
    created = service.register_secretary(secretary(name="Ana Maria Souza Joao"))
    items = service.find_secretaries(name=query)["items"]
    assert [item["id"] for item in items] == ([created["id"]] if found else [])
    assert all("***@" in item["email"] for item in items)


def test_get_accounts_leaves_unknown_ids_out(service):
    created = service.register_secretary(secretary())
    found = service.get_accounts([created["id"], str(uuid.uuid4())])
    assert found == [{**created, "status": "active"}]


@pytest.mark.parametrize("method, args", [
    ("login", (None, None)), ("login", ({"a": 1}, 5)), ("refresh", (5,)),
    ("refresh", ("a.b",)), ("logout", ({},)), ("logout", (None,)),
    ("recent_revocations", ("abc",)), ("get_me", (None,)), ("update_me", (None, None)),
    ("change_email", ({}, {"new_email": 5})), ("change_password", ({}, None)),
    ("delete_me", ({}, {})), ("register_secretary", (None,)), ("register_citizen", ({},)),
    ("find_secretaries", (5, 5, 5, "x", "!!")), ("find_secretaries", (None, None, "a", 1, "!!")),
    ("create_staff", (None, None)), ("preregister_provider", ({"kind": "staff",
                                                              "roles": ["admin"]}, None)),
    ("preregister_provider", ({"kind": "staff", "roles": ["admin"]}, {"sites": [5]})),
    ("get_registration", (None,)), ("complete_registration", (5, None)),
    ("request_password_reset", (None,)), ("reset_password", (None, None)),
    ("get_provider", (None,)), ("get_provider", ("x",)),
    ("update_provider_profile", (None, None, None)),
    ("add_provider_image", ({"kind": "provider", "provider_id": "p"}, "p", {"size": "x"})),
    ("remove_provider_image", (None, None, None)), ("get_accounts", (None,)),
])
def test_garbage_arguments_change_nothing_and_the_service_carries_on(service, db, method, args):
    """Shapes are validated at the edge (gateway schemas); an RPC caller breaking the contract
    of docs/rpc.md gets an error, nothing is written, and the service keeps answering."""
    before = events(db)
    try:
        getattr(service, method)(*args)
    except (PonteError, KeyError, TypeError, AttributeError, ValueError):
        pass
    assert events(db) == before
    assert service.ping()["status"] == "ok"


def test_a_sign_in_upgrades_a_hash_made_with_another_cost(db, clock):
    older = context(db, Passwords(PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)),
                     clock)
    body = secretary()
    created = registration.register(older, "secretary", body)
    current = context(db, FAST, clock)
    sessions.login(current, body["email"], body["password"])
    with db.read() as session:
        stored = Repository(session).account(created["id"]).password_hash
    assert not FAST.needs_rehash(stored)
    assert sessions.login(current, body["email"], body["password"])["access_token"]


FULL_ADDRESS = {"street": "Rua A", "number": "10", "district": "Centro", "city": "Curitiba",
                "state": "PR", "postal_code": "80010000"}


def _registered(service, db, document: str, legal_name: str, provider_type: str) -> dict:
    created = service.preregister_provider(admin(service), {
        "document": document, "legal_name": legal_name,
        "email": f"p-{uuid.uuid4().hex[:8]}@ponte.test"})
    service.complete_registration(events(db, "provider_invited")[-1]["token"], {
        "provider_type": provider_type, "password": "Clinic#1",
        "password_confirmation": "Clinic#1", "accepted_terms": True})
    return created


def test_missing_profile_names_what_a_provider_must_fill_in(service, db):
    """Issue 17 item 11: GET /me and get_missing_profile say what is missing, [] once complete
    and for every other account."""
    created, me = _provider(service, db)
    everything = ["address.street", "address.number", "address.district", "address.city",
                  "address.state", "address.postal_code", "phones"]
    assert service.get_me(me)["missing_profile"] == everything
    assert service.get_missing_profile(created["id"]) == everything
    service.update_provider_profile(me, created["id"], {
        "address": {**FULL_ADDRESS, "number": None}})
    assert service.get_missing_profile(created["id"]) == ["address.number", "phones"]
    service.update_provider_profile(me, created["id"], {
        "address": FULL_ADDRESS, "phones": ["41 3333-4444"]})
    assert service.get_me(me)["missing_profile"] == []
    assert service.get_missing_profile(created["id"]) == []
    assert service.get_missing_profile(str(uuid.uuid4())) == []
    body = secretary()
    service.register_secretary(body)
    assert service.get_me(caller_of(service.login(body["email"], "Secret#1")))[
        "missing_profile"] == []


def test_providers_are_listed_by_words_of_the_name_type_and_city(service, db):
    """Issue 17 item 1: each word starts some word of the legal name, ignoring case and
    accents; by type and city; ordered by legal name; active ones for the public."""
    sorriso = _registered(service, db, "11222333000181", "Clínica Sorriso São-José", "dentist")
    vida = _registered(service, db, "11444777000161", "Laboratório Vida", "laboratory")
    service.preregister_provider(admin(service), {
        "document": "45723174000110", "legal_name": "Clínica Pendente",
        "email": "pendente@ponte.test"})
    owner = caller_of(service.login("11.222.333/0001-81", "Clinic#1"))
    service.update_provider_profile(owner, sorriso["id"], {"address": {
        **FULL_ADDRESS, "city": "São Paulo"}})

    def names(caller: dict | None = None, **query) -> list[str]:
        return [p["legal_name"] for p in service.list_providers(caller or {}, **query)["items"]]

    assert names() == ["Clínica Sorriso São-José", "Laboratório Vida"]
    assert names(q="clinica") == names(q="JOSE sorr") == ["Clínica Sorriso São-José"]
    assert names(q="orriso") == names(q="sorriso vida") == []
    assert names(provider_type="laboratory") == ["Laboratório Vida"]
    assert names(city="sao paulo") == ["Clínica Sorriso São-José"]
    with pytest.raises(InvalidInput) as short:
        service.list_providers({}, q="cl sorriso")
    assert set(short.value.errors) == {"q"}
    public = service.list_providers({}, q="vida")["items"][0]
    assert public["id"] == vida["id"] and "status" not in public
    assert set(public) >= {"id", "legal_name", "provider_type", "sites", "profile"}
    operator = admin(service)
    assert names(operator) == ["Clínica Pendente", "Clínica Sorriso São-José",
                               "Laboratório Vida"]
    assert names(operator, status="invited") == ["Clínica Pendente"]
    with pytest.raises(Forbidden):
        service.list_providers({}, status="invited")
    mine = service.list_providers(owner, q="clinica")["items"][0]
    assert mine["status"] == "active"
    page = service.list_providers({}, limit=1)
    assert [p["legal_name"] for p in page["items"]] == ["Clínica Sorriso São-José"]
    rest = service.list_providers({}, limit=1, cursor=page["next_cursor"])
    assert [p["legal_name"] for p in rest["items"]] == ["Laboratório Vida"]
    assert rest["next_cursor"] is None


def test_a_provider_is_public_while_active(service, db):
    """Issue 17 item 1: GET /providers/{id} shows an active provider to anyone without its
    status; others only to operators and the provider side, who see the status."""
    created, me = _provider(service, db)
    public = service.show_provider({}, created["id"])
    assert public["legal_name"] == "Sorriso" and "status" not in public
    assert service.show_provider(me, created["id"])["status"] == "active"
    service.delete_me(me, {"current_password": "Clinic#1"})
    with pytest.raises(NotFound):
        service.show_provider({}, created["id"])
    assert service.show_provider(admin(service), created["id"])["status"] == "deleted"
    with pytest.raises(NotFound):
        service.show_provider({}, str(uuid.uuid4()))
