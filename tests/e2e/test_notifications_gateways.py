"""Real-time fan-out across gateway processes (distributed): an item created in the notifications
service reaches a stream wherever it is connected, a ticket issued through one gateway opens a
stream on another once only, and a client whose gateway goes away resumes elsewhere with
Last-Event-ID without losing an item."""
from __future__ import annotations

import pytest

from tests.e2e.notifications_helpers import EventStream, People, wait_for_item
from tests.stack import Client, free_port, wait_until

API = "/api/v1"


@pytest.fixture(scope="module")
def two_gateways(distributed_stack):
    port = free_port()
    distributed_stack.start_process("gateway-2", "run", "gateway",
                                    env={"PONTE_HTTP_ADDRESS": f"127.0.0.1:{port}"})
    second = Client(f"http://127.0.0.1:{port}")

    def ready() -> bool:
        try:
            return second.get("/readyz").status_code == 200
        except Exception:  # noqa: BLE001  not listening yet
            return False
    wait_until(ready, 60, 0.3, "the second gateway")
    yield distributed_stack, second
    if "gateway-2" in distributed_stack.processes:
        distributed_stack.stop_process("gateway-2")


def test_an_item_reaches_streams_on_every_gateway(two_gateways):
    stack, second = two_gateways
    people = People(stack.client, stack.mail)
    provider = people.provider("Clínica Duas Portas")
    rosa = people.secretary("Rosa")
    on_first = EventStream(stack.client.base_url, token=rosa["token"])
    on_second = EventStream(second.base_url, token=rosa["token"])
    try:
        wait_until(lambda: on_first.comments and on_second.comments, 10,
                   what="both subscriptions")
        people.invite(provider, rosa, ["billing"])  # through the first gateway
        first = on_first.wait_for(lambda n: n["type"] == "relationships.invitation_sent")
        other = on_second.wait_for(lambda n: n["type"] == "relationships.invitation_sent")
        assert first == other
    finally:
        on_first.close()
        on_second.close()

    ticket = stack.client.post(f"{API}/notifications/stream-tickets",
                               token=rosa["token"]).json()["ticket"]
    elsewhere = EventStream(second.base_url, ticket=ticket)
    assert elsewhere.response.status_code == 200
    elsewhere.close()
    reused = EventStream(stack.client.base_url, ticket=ticket)
    assert reused.response.status_code == 401
    reused.close()


def test_a_client_whose_gateway_stops_resumes_on_another_without_loss(two_gateways):
    stack, second = two_gateways
    people = People(stack.client, stack.mail)
    provider = people.provider("Clínica Retomada")
    tito = people.secretary("Tito")
    stream = EventStream(second.base_url, token=tito["token"])
    first = people.invite(provider, tito, ["billing"])
    seen = stream.wait_for(lambda n: n["type"] == "relationships.invitation_sent")
    stack.stop_process("gateway-2")
    wait_until(lambda: stream.closed, 20, 0.1, "the stream to end with its gateway")
    stream.close()

    stack.client.post(f"{API}/invitations/{first['id']}/decline", token=tito["token"])
    people.invite(provider, tito, ["commercial"])
    [missed, _] = wait_for_item(stack.client, tito, "relationships.invitation_sent", count=2)
    resumed = EventStream(stack.client.base_url, token=tito["token"], last_event_id=seen["id"])
    try:
        replayed = resumed.wait_for(lambda n: n["id"] == missed["id"])
        assert replayed == missed
        assert seen["id"] not in [n["id"] for n in resumed.notifications()]
    finally:
        resumed.close()
