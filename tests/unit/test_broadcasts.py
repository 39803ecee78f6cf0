"""The gateway's broadcasts (``gateway/broadcasts.py``): taken in place, on queues that live and
die with the process and so are never written to RabbitMQ's disk."""
from __future__ import annotations

from nameko import config as nameko_config
from nameko.containers import ServiceContainer
from nameko.events import EventHandler

from gateway.broadcasts import InPlace
from gateway.service import GatewayService


def test_every_broadcast_of_the_gateway_is_taken_in_place_on_a_transient_queue():
    with nameko_config.patch({"AMQP_URI": "memory://broadcasts"}):
        container = ServiceContainer(GatewayService)
        broadcasts = [e for e in container.entrypoints if isinstance(e, InPlace)]
        for entrypoint in broadcasts:
            entrypoint.setup()
    assert {(e.source_service, e.event_type) for e in broadcasts} == {
        ("identity", "sessions_revoked"), ("notifications", "notifications_created"),
        ("relationships", "invitation_accepted"), ("relationships", "relationship_ended"),
        ("relationships", "relationship_roles_changed"),
        ("relationships", "relationship_expired")}
    for entrypoint in broadcasts:
        queue = entrypoint.queue
        assert (queue.durable, queue.exclusive, queue.auto_delete) == (False, True, True)
    assert [e for e in container.entrypoints  # none of them in a worker
            if isinstance(e, EventHandler) and not isinstance(e, InPlace)] == []
