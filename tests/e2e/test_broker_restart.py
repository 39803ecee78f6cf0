"""Every process keeps working after the message broker goes away in the middle of work
(distributed runtime). Each component reaches RabbitMQ through a TCP proxy that the test kills
and starts again while providers submit authorization requests (each a request to
authorizations, two events to notifications, inbox items, e-mails), as a broker restart does to
every connection at once.

Found by ``make chaos`` with a real ``rabbitmqctl stop_app``: a reply or acknowledgement that met
the dead connection raised a socket error that killed the service's nameko container, and the
process lived on consuming nothing, so authorizations, attendance and notifications stayed down
for good."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.e2e.test_authorizations import ROOT_CANAL, Desk, body
from tests.e2e.test_edge_broker import behind_proxy
from tests.stack import COMPONENTS, Stack

API = "/api/v1"
OUTAGE_SECONDS = 5  # about what stop_app, a pause and start_app take


@pytest.fixture(scope="module")
def cut_stack(tmp_path_factory):
    with behind_proxy(tmp_path_factory.mktemp("restart"), proxied=COMPONENTS) as running:
        yield running


def _submit_until(stack: Stack, token: str, stop: threading.Event, statuses: list) -> None:
    session = requests.Session()
    while not stop.is_set():
        try:
            answer = session.post(stack.client.base_url + f"{API}/authorization-requests",
                                  json=body(), timeout=15,
                                  headers={"Authorization": f"Bearer {token}"})
            statuses.append(answer.status_code)
        except requests.ConnectionError:
            statuses.append(None)


def test_every_service_comes_back_after_the_broker_drops_every_connection_mid_work(cut_stack):
    stack, proxy = cut_stack
    desk = Desk(stack.client, stack.mail)
    provider = desk.provider("Clínica Reinício")
    auditor = desk.staff(["auditor"])
    stop, statuses = threading.Event(), []
    load = [threading.Thread(target=_submit_until, args=(stack, provider["token"], stop, statuses))
            for _ in range(6)]
    for thread in load:
        thread.start()
    try:
        time.sleep(3)  # work in flight everywhere: requests, replies, events, acknowledgements
        proxy.stop()
        time.sleep(OUTAGE_SECONDS)
        proxy.start()
        time.sleep(2)
    finally:
        stop.set()
        for thread in load:
            thread.join(30)
    assert 201 in statuses
    assert set(statuses) <= {201, 503}, sorted(set(map(str, statuses)))

    def ready() -> bool:
        answer = requests.get(stack.client.base_url + "/readyz", timeout=5)
        return answer.status_code == 200
    deadline = time.monotonic() + 60
    while not ready():
        assert time.monotonic() < deadline, requests.get(
            stack.client.base_url + "/readyz", timeout=5).text
        time.sleep(1)
    for name in COMPONENTS:
        assert stack.processes[name].poll() is None, f"{name} exited"
        assert "thread exited with error" not in stack.log(name), f"{name}'s container died"

    # and they work: a request needing audit reaches the auditor's inbox through notifications
    answer = stack.client.post(f"{API}/authorization-requests", token=provider["token"],
                               json=body(items=[{"procedure_code": ROOT_CANAL, "quantity": 1,
                                                 "tooth": 36}]))
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]

    def told() -> bool:
        inbox = stack.client.get(f"{API}/notifications", token=auditor["token"]).json()
        return any(number in (item["title"] + item["body"]) for item in inbox["items"])
    deadline = time.monotonic() + 30
    while not told():
        assert time.monotonic() < deadline, "notifications did not consume after the outage"
        time.sleep(0.5)
