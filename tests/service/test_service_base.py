"""What every service gets from ponte.service, on the in-process broker."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from nameko import config as nameko_config
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcClient

import ponte.broker  # noqa: F401
from ponte.errors import Conflict, ServiceUnavailable
from ponte.service import BaseService, rpc


class Clinic(BaseService):
    name = "clinic"

    @rpc
    def book(self, slot: str) -> str:
        if slot == "taken":
            raise Conflict("That slot is taken.", {"slot": ["Already booked."]})
        if slot == "db-down":
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
        return slot


@pytest.fixture(scope="module")
def clinic():
    with nameko_config.patch({"AMQP_URI": f"memory://base-{uuid.uuid4().hex[:6]}",
                              "serializer": "json"}):
        runner = ServiceRunner()
        runner.add_service(Clinic)
        runner.start()
        with ClusterRpcClient() as client:
            yield client.clinic
        runner.stop()


def test_ping_answers_for_readiness(clinic):
    assert clinic.ping() == {"service": "clinic", "status": "ok"}


def test_domain_errors_reach_the_caller_as_themselves(clinic):
    with pytest.raises(Conflict) as refused:
        clinic.book("taken")
    assert refused.value.errors == {"slot": ["Already booked."]}


def test_an_unreachable_database_is_service_unavailable_not_an_internal_error(clinic):
    with pytest.raises(ServiceUnavailable) as unavailable:
        clinic.book("db-down")
    assert unavailable.value.retry_after == 5
