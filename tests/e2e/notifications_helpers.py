"""What the notifications end-to-end tests share: accounts made through the real API, a
Server-Sent Events reader, and a stack started with stream settings of the test's choosing."""
from __future__ import annotations

import os
import uuid
from typing import Any

import eventlet
import requests

from tests.e2e.test_relationships import API, PASSWORD, Accounts
from tests.stack import Client, complete_profile, wait_until


class People(Accounts):
    """Accounts of every kind the notifications tests need."""

    def provider(self, name: str = "Clínica Odonto Arte", provider_type: str = "clinic") -> dict:
        email = f"provider-{uuid.uuid4().hex[:8]}@ponte.test"
        legal_name = f"{name} {uuid.uuid4().hex[:4]}"
        from tests.stack import new_cnpj
        answer = self.client.post(f"{API}/providers", token=self.operator, json={
            "document": new_cnpj(), "legal_name": legal_name, "email": email})
        assert answer.status_code == 201, answer.text
        provider_id = answer.json()["id"]
        token = self.mail.token(email)
        answer = self.client.post(f"{API}/registrations/{token}", json={
            "provider_type": provider_type, "password": PASSWORD,
            "password_confirmation": PASSWORD, "accepted_terms": True})
        assert answer.status_code == 201, answer.text
        session = self.client.login(email, PASSWORD)
        complete_profile(self.client, provider_id, session["access_token"])
        return {"id": provider_id, "legal_name": legal_name, "email": email,
                "token": session["access_token"], "account_id": session["account"]["id"]}

    def invite(self, provider: dict, secretary: dict, roles: list[str]) -> dict:
        answer = self.client.post(f"{API}/providers/{provider['id']}/invitations",
                                  token=provider["token"],
                                  json={"secretary_id": secretary["id"], "roles": roles})
        assert answer.status_code == 201, answer.text
        return answer.json()


def inbox(client: Client, who: dict, **params: Any) -> dict:
    answer = client.get(f"{API}/notifications", token=who["token"], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def wait_for_item(client: Client, who: dict, notification_type: str, count: int = 1,
                  timeout: float = 20) -> list[dict]:
    """The newest ``count`` items of a type in someone's inbox, once they are there."""
    def found():
        items = [i for i in inbox(client, who, limit=200)["items"]
                 if i["type"] == notification_type]
        return items if len(items) >= count else None
    return wait_until(found, timeout, 0.2, f"{count} {notification_type} for {who.get('email')}")


class EventStream:
    """An open ``GET /notifications/stream``, read in a green thread into ``frames`` (dicts of
    the fields of each event) and ``comments``."""

    def __init__(self, base_url: str, token: str | None = None, ticket: str | None = None,
                 last_event_id: str | None = None, path: str = f"{API}/notifications/stream"):
        headers = {"Accept": "text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.http = requests.Session()
        self.response = self.http.get(base_url + path, headers=headers, stream=True,
                                      params={"ticket": ticket} if ticket else None,
                                      timeout=(10, 60))
        self.frames: list[dict] = []
        self.comments: list[str] = []
        self.closed = False
        self._reader = eventlet.spawn(self._read) if self.response.status_code == 200 else None

    def _read(self) -> None:
        current: dict[str, str] = {}
        try:
            for line in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                if line == "":
                    if current:
                        self.frames.append(current)
                        current = {}
                elif line.startswith(":"):
                    self.comments.append(line)
                else:
                    name, _, value = line.partition(":")
                    current[name] = value[1:] if value.startswith(" ") else value
        except Exception:  # noqa: BLE001  closed by the test or the server
            pass
        self.closed = True

    def notifications(self) -> list[dict]:
        import json
        return [json.loads(f["data"]) for f in self.frames if f.get("event") == "notification"]

    def wait_for(self, predicate, timeout: float = 15, what: str = "a frame") -> dict:
        return wait_until(lambda: next((n for n in self.notifications() if predicate(n)), None),
                          timeout, 0.05, what)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.kill()  # first: closing under a blocked read is a reentrant call
        self.response.close()
        self.http.close()


def running_stack(kind: str, tmp_path_factory, **env: str):
    """conftest's stack, started with extra environment (generator, like the fixture)."""
    from tests.conftest import _running
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        started = _running(kind, tmp_path_factory)
        stack = next(started)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield stack
    next(started, None)
