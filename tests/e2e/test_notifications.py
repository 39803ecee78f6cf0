"""Notifications through HTTP on both runtimes, caused by real identity and relationships actions:
the inbox (unread filter, count, read, read-all), e-mail by preference, the SSE stream with the
header and with a ticket, resume with Last-Event-ID, the open-stream cap, bulletins with targeting
and attachments, and the e-mail delivery list for administrators."""
from __future__ import annotations

import uuid

import pytest

from tests.conftest import RUNTIMES
from tests.e2e.notifications_helpers import EventStream, People, inbox, running_stack, wait_for_item
from tests.e2e.test_uploads import PDF
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, wait_until

API = "/api/v1"
STREAM_CAP = 3


@pytest.fixture(scope="module", params=RUNTIMES)
def stack(request, tmp_path_factory):
    yield from running_stack(request.param, tmp_path_factory,
                             PONTE_STREAM_HEARTBEAT_SECONDS="1",
                             PONTE_STREAMS_PER_ACCOUNT=str(STREAM_CAP))


@pytest.fixture(scope="module")
def people(stack):
    return People(stack.client, stack.mail)


@pytest.fixture(scope="module")
def provider(people):
    return people.provider("Clínica Sorriso", "clinic")


def test_an_invitation_reaches_the_secretarys_inbox_and_mailbox(client, mail, people, provider):
    ana = people.secretary("Ana Souza")
    invitation = people.invite(provider, ana, ["authorizations", "billing"])
    [item] = wait_for_item(client, ana, "relationships.invitation_sent")
    assert item["title"] == f"Convite de {provider['legal_name']}"
    assert "Autorizações, Faturamento" in item["body"]
    assert item["link"] == "/api/v1/me/invitations"
    assert item["read_at"] is None and item["created_at"].endswith("Z")
    message = mail.wait_for(ana["email"], f"Convite de {provider['legal_name']}")
    assert "Autorizações, Faturamento" in mail.body(message)

    listing = inbox(client, ana)
    assert listing["unread_count"] >= 1 and listing["next_cursor"] is None

    accepted = client.post(f"{API}/invitations/{invitation['id']}/accept", token=ana["token"],
                           json={"until": None})
    assert accepted.status_code == 200, accepted.text
    [told] = wait_for_item(client, provider, "relationships.invitation_accepted")
    assert told["title"] == "Ana Souza aceitou o convite"
    assert told["link"] == f"/api/v1/providers/{provider['id']}/relationships"
    # the secretary who acted is not told of her own act
    assert not [i for i in inbox(client, ana)["items"]
                if i["type"] == "relationships.invitation_accepted"]


def test_items_are_marked_read_one_or_all_and_filtered_by_unread(client, people, provider):
    bia = people.secretary("Bia")
    people.invite(provider, bia, ["billing"])
    [item] = wait_for_item(client, bia, "relationships.invitation_sent")
    welcome = wait_for_item(client, bia, "identity.secretary_registered")
    assert inbox(client, bia)["unread_count"] == 2
    assert client.post(f"{API}/notifications/{item['id']}/read",
                       token=bia["token"]).status_code == 204
    assert client.post(f"{API}/notifications/{item['id']}/read",
                       token=bia["token"]).status_code == 204  # again: still read
    unread = inbox(client, bia, unread="true")
    assert [i["id"] for i in unread["items"]] == [welcome[0]["id"]]
    assert unread["unread_count"] == 1
    read_item = next(i for i in inbox(client, bia)["items"] if i["id"] == item["id"])
    assert read_item["read_at"].endswith("Z")

    other = people.secretary("Outra")
    assert client.post(f"{API}/notifications/{item['id']}/read",
                       token=other["token"]).status_code == 404
    assert client.post(f"{API}/notifications/{uuid.uuid4()}/read",
                       token=bia["token"]).status_code == 404
    assert client.post(f"{API}/notifications/read-all", token=bia["token"]).status_code == 204
    assert inbox(client, bia)["unread_count"] == 0
    assert inbox(client, bia, unread="true")["items"] == []
    assert client.get(f"{API}/notifications").status_code == 401
    assert client.get(f"{API}/notifications", token=bia["token"],
                      params={"limit": 500}).status_code == 422


def test_the_inbox_pages_newest_first_without_repeats(client, people, provider):
    cida = people.secretary("Cida")
    for roles in (["billing"], ["commercial"], ["authorizations"]):
        invitation = people.invite(provider, cida, roles)
        client.post(f"{API}/invitations/{invitation['id']}/decline", token=cida["token"])
    wait_for_item(client, cida, "relationships.invitation_sent", count=3)
    first = inbox(client, cida, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = inbox(client, cida, limit=2, cursor=first["next_cursor"])
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4  # three invitations and the welcome
    stamps = [i["created_at"] for i in first["items"] + second["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert client.get(f"{API}/notifications", token=cida["token"],
                      params={"cursor": "nonsense"}).status_code == 400


def test_preferences_switch_emails_but_not_the_security_ones(client, mail, people, provider):
    dora = people.secretary("Dora")
    answer = client.get(f"{API}/me/notification-preferences", token=dora["token"])
    assert answer.status_code == 200, answer.text
    prefs = answer.json()
    assert prefs["patient_messages"] is False
    assert all(prefs["email"].values())
    assert {"relationships.invitation_sent", "identity.password_changed",
            "authorizations.request_authorized"} <= set(prefs["email"])
    assert "identity.citizen_registered" not in prefs["email"]  # not for a secretary

    for security in ("identity.password_reset_requested", "identity.password_changed",
                     "identity.email_changed"):
        refused = client.put(f"{API}/me/notification-preferences", token=dora["token"],
                             json={"email": {security: False}})
        assert refused.status_code == 422, refused.text
        assert f"email.{security}" in refused.json()["errors"]
    unknown = client.put(f"{API}/me/notification-preferences", token=dora["token"],
                         json={"email": {"identity.nonsense": False}})
    assert unknown.status_code == 422
    assert client.put(f"{API}/me/notification-preferences", token=dora["token"],
                      json={"patient_messages": "yes"}).status_code == 422

    changed = client.put(f"{API}/me/notification-preferences", token=dora["token"],
                         json={"email": {"relationships.invitation_sent": False},
                               "patient_messages": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"]["relationships.invitation_sent"] is False
    assert changed.json()["email"]["relationships.relationship_ended"] is True
    assert changed.json()["patient_messages"] is True
    assert client.get(f"{API}/me/notification-preferences",
                      token=dora["token"]).json() == changed.json()

    people.invite(provider, dora, ["billing"])
    wait_for_item(client, dora, "relationships.invitation_sent")  # in the inbox all the same
    # a later e-mail that preferences allow shows the invitation's was never sent
    client.post(f"{API}/me/password", token=dora["token"], json={
        "current_password": "Senha#2026", "new_password": "Outra#2027",
        "new_password_confirmation": "Outra#2027"})
    mail.wait_for(dora["email"], "senha")
    assert not [m for m in mail.messages(dora["email"])
                if "Convite" in str(m["Subject"])]


def test_the_stream_with_the_header_delivers_new_items(stack, client, people, provider):
    eva = people.secretary("Eva")
    stream = EventStream(stack.client.base_url, token=eva["token"])
    try:
        assert stream.response.status_code == 200
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        wait_until(lambda: stream.comments, 5, what="the subscription comment")
        assert stream.comments[0] == ": subscribed"
        people.invite(provider, eva, ["commercial"])
        pushed = stream.wait_for(lambda n: n["type"] == "relationships.invitation_sent")
        frame = next(f for f in stream.frames if f.get("id") == pushed["id"])
        assert frame["event"] == "notification"
        [stored] = wait_for_item(client, eva, "relationships.invitation_sent")
        assert pushed == stored
        wait_until(lambda: len(stream.comments) >= 3, 5, what="heartbeat comments")
    finally:
        stream.close()


def test_the_stream_with_a_single_use_ticket(stack, client, people, provider):
    fia = people.secretary("Fia")
    issued = client.post(f"{API}/notifications/stream-tickets", token=fia["token"])
    assert issued.status_code == 201, issued.text
    ticket = issued.json()
    assert 0 < ticket["expires_in"] <= 60 and len(ticket["ticket"]) >= 32
    stream = EventStream(stack.client.base_url, ticket=ticket["ticket"])
    try:
        assert stream.response.status_code == 200
        people.invite(provider, fia, ["billing"])
        stream.wait_for(lambda n: n["type"] == "relationships.invitation_sent")
    finally:
        stream.close()
    again = EventStream(stack.client.base_url, ticket=ticket["ticket"])
    assert again.response.status_code == 401
    again.close()
    for bad in (EventStream(stack.client.base_url, ticket="forged"),
                EventStream(stack.client.base_url)):
        assert bad.response.status_code == 401
        bad.close()
    assert client.post(f"{API}/notifications/stream-tickets").status_code == 401


def test_last_event_id_replays_what_came_meanwhile(stack, client, people, provider):
    gil = people.secretary("Gil")
    first = people.invite(provider, gil, ["billing"])
    [seen] = wait_for_item(client, gil, "relationships.invitation_sent")
    client.post(f"{API}/invitations/{first['id']}/decline", token=gil["token"])
    people.invite(provider, gil, ["commercial"])
    people.invite(Second.provider(people), gil, ["authorizations"])
    missed = wait_for_item(client, gil, "relationships.invitation_sent", count=3)
    stream = EventStream(stack.client.base_url, token=gil["token"], last_event_id=seen["id"])
    try:
        wait_until(lambda: len(stream.notifications()) >= 2, 10, what="the replay")
        replayed = stream.notifications()
        assert [n["id"] for n in replayed] == [m["id"] for m in reversed(missed[:2])]
        assert [f["id"] for f in stream.frames] == [n["id"] for n in replayed]
    finally:
        stream.close()


class Second:
    _provider: dict | None = None

    @classmethod
    def provider(cls, people: People) -> dict:
        if cls._provider is None or cls._provider.get("_client") is not people.client:
            cls._provider = {**people.provider("Laboratório Vida", "laboratory"),
                             "_client": people.client}
        return cls._provider


def test_open_streams_are_capped_per_account(stack, people):
    hal = people.secretary("Hal")
    streams = [EventStream(stack.client.base_url, token=hal["token"]) for _ in range(STREAM_CAP)]
    try:
        assert [s.response.status_code for s in streams] == [200] * STREAM_CAP
        over = EventStream(stack.client.base_url, token=hal["token"])
        assert over.response.status_code == 429
        assert int(over.response.headers["Retry-After"]) > 0
        assert over.response.headers["Content-Type"] == "application/problem+json"
        over.close()
        streams.pop().close()

        def reopened():
            again = EventStream(stack.client.base_url, token=hal["token"])
            if again.response.status_code == 200:
                streams.append(again)
                return True
            again.close()
            return False
        # the server notices the closed connection at its next heartbeat (1 s here)
        wait_until(reopened, 10, 0.5, "a stream slot to be freed")
    finally:
        for stream in streams:
            stream.close()


def test_bulletins_reach_the_targeted_providers_and_their_secretaries(
        client, people, provider):
    dentist = people.provider("Dra. Lia", "dentist")
    lab = Second.provider(people)
    upload = client.post(f"{API}/uploads", token=people.operator,
                         files={"file": ("tabela.pdf", PDF, "application/pdf")})
    assert upload.status_code == 201, upload.text
    body = {"title": "Nova tabela de <b>preços</b>", "body": "Vale a partir de janeiro.",
            "provider_types": ["clinic", "laboratory"], "attachment_ids": [upload.json()["id"]]}
    assert client.post(f"{API}/bulletins", token=provider["token"], json=body).status_code == 403
    bad = client.post(f"{API}/bulletins", token=people.operator,
                      json={**body, "provider_types": ["spaceship"]})
    assert bad.status_code == 422 and "provider_types.0" in bad.json()["errors"]
    created = client.post(f"{API}/bulletins", token=people.operator, json=body)
    assert created.status_code == 201, created.text
    bulletin = created.json()
    assert bulletin["attachments"] == [{"id": upload.json()["id"], "filename": "tabela.pdf",
                                        "content_type": "application/pdf", "size": len(PDF)}]

    for targeted in (provider, lab):
        [item] = wait_for_item(client, targeted, "notifications.bulletin_published")
        assert item["title"] == "Informativo: Nova tabela de <b>preços</b>"
        assert item["body"] == "Vale a partir de janeiro."
        listed = client.get(f"{API}/bulletins", token=targeted["token"]).json()["items"]
        assert bulletin["id"] in [b["id"] for b in listed]
        download = client.get(f"{API}/attachments/{upload.json()['id']}",
                              token=targeted["token"])
        assert download.status_code == 200 and download.content == PDF
    listed = client.get(f"{API}/bulletins", token=dentist["token"]).json()["items"]
    assert bulletin["id"] not in [b["id"] for b in listed]
    assert not [i for i in inbox(client, dentist)["items"]
                if i["type"] == "notifications.bulletin_published"]
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=dentist["token"]).status_code == 404

    everyone = client.post(f"{API}/bulletins", token=people.operator,
                           json={"title": "Feriado", "body": "Sem expediente na segunda."})
    assert everyone.status_code == 201 and everyone.json()["provider_types"] is None
    wait_for_item(client, dentist, "notifications.bulletin_published")
    operator_view = client.get(f"{API}/bulletins", token=people.operator).json()["items"]
    assert {bulletin["id"], everyone.json()["id"]} <= {b["id"] for b in operator_view}

    ivo = people.secretary("Ivo")
    assert client.get(f"{API}/bulletins", token=ivo["token"]).status_code == 403
    people.relate(provider, ivo, ["billing"])
    mine = client.get(f"{API}/bulletins", token=ivo["token"])
    assert mine.status_code == 200, mine.text
    assert {bulletin["id"], everyone.json()["id"]} <= {b["id"] for b in mine.json()["items"]}
    assert client.get(f"{API}/attachments/{upload.json()['id']}",
                      token=ivo["token"]).status_code == 200
    citizen_answer = client.get(f"{API}/bulletins", token=people.operator,
                                params={"limit": 1}).json()
    assert len(citizen_answer["items"]) == 1 and citizen_answer["next_cursor"]


def test_administrators_list_email_deliveries(client, mail, people):
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    jon = people.secretary("Jon")
    mail.wait_for(jon["email"])

    def delivered():
        items = client.get(f"{API}/notifications/emails", token=admin,
                           params={"status": "sent", "limit": 200}).json()["items"]
        return [e for e in items if e["recipient"] == jon["email"]]
    [email] = wait_until(delivered, 10, what="the welcome e-mail listed as sent")
    assert email["type"] == "identity.secretary_registered" and email["attempts"] == 1
    assert email["sent_at"].endswith("Z") and email["next_attempt_at"] is None
    assert client.get(f"{API}/notifications/emails", token=people.operator).status_code == 403
    retry = f"{API}/notifications/emails/{email['id']}/retry"
    assert client.post(retry, token=admin).status_code == 409  # it was sent
    assert client.post(retry, token=people.operator).status_code == 403
    assert client.post(f"{API}/notifications/emails/{uuid.uuid4()}/retry",
                       token=admin).status_code == 404
    assert client.get(f"{API}/notifications/emails", token=admin,
                      params={"status": "lost"}).status_code == 422


def test_ending_the_session_closes_its_stream(stack, client, people):
    kim = people.secretary("Kim")
    session = client.login(kim["email"], "Senha#2026")
    stream = EventStream(stack.client.base_url, token=session["access_token"])
    other = EventStream(stack.client.base_url, token=kim["token"])  # another session
    try:
        wait_until(lambda: stream.comments and other.comments, 5, what="both subscriptions")
        assert client.delete(f"{API}/sessions/current",
                             token=session["access_token"]).status_code == 204
        wait_until(lambda: stream.closed, 10, 0.1, "the stream of the ended session to close")
        assert not other.closed
    finally:
        stream.close()
        other.close()
