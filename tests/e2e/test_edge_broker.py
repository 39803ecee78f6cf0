"""The gateway while RabbitMQ is away (distributed runtime): its connection to the broker runs
through a proxy the test cuts, as a broker restart does."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.stack import (
    COMPONENTS,
    Stack,
    _port_open,
    distributed_infrastructure,
    infrastructure_missing,
    wait_until,
)

PROXY = """
import socket, sys, threading
def pipe(a, b):
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.close()
        except OSError:
            pass
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])), reuse_port=True)
while True:
    client, _ = listener.accept()
    upstream = socket.create_connection(("127.0.0.1", 5672))
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
"""


class BrokerProxy:
    """A TCP proxy to RabbitMQ in its own process: stopping it refuses new connections and
    cuts the open ones, as a broker restart does."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process = None

    def start(self) -> BrokerProxy:
        self.process = subprocess.Popen([sys.executable, "-c", PROXY, str(self.port)])
        wait_until(lambda: _port_open(self.port), 10, what="the broker proxy")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextmanager
def behind_proxy(workdir: Path, proxied: tuple[str, ...]) -> Iterator[tuple[Stack, BrokerProxy]]:
    """The distributed stack with the ``proxied`` components reaching RabbitMQ through a
    :class:`BrokerProxy` (an RPC deadline of 3 s)."""
    reason = infrastructure_missing()
    if reason:
        pytest.skip(reason)
    stack = Stack("distributed", workdir, env={"PONTE_RPC_TIMEOUT": "3"})
    proxy = BrokerProxy(_free_port())
    try:
        distributed_infrastructure(stack)
        proxy.start()
        through_proxy = stack.env["AMQP_URI"].replace(":5672/", f":{proxy.port}/")
        for component in COMPONENTS:
            stack.start_process(component, "run", component, env={"AMQP_URI": through_proxy}
                                if component in proxied else None)
        stack.wait_ready()
        yield stack, proxy
    finally:
        proxy.stop()
        stack.stop()


@pytest.fixture(scope="module")
def outage_stack(tmp_path_factory):
    with behind_proxy(tmp_path_factory.mktemp("broker"), proxied=("gateway",)) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_broker_outage_is_503_with_retry_after_never_500(outage_stack):
    stack, proxy = outage_stack
    url = stack.client.base_url + "/api/v1/sessions"
    body = {"login": "nobody@ponte.test", "password": "Wrong#123"}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    proxy.stop()
    statuses = []
    for _ in range(8):
        started = time.monotonic()
        answer = requests.post(url, json=body, timeout=20)
        elapsed = time.monotonic() - started
        statuses.append(answer.status_code)
        assert answer.status_code in (401, 503), answer.text
        if answer.status_code == 503:
            assert int(answer.headers["Retry-After"]) > 0
            assert answer.headers["Content-Type"] == "application/problem+json"
        assert elapsed < 3 + 1.5  # within the RPC deadline
    assert 503 in statuses
    proxy.start()

    def recovered():
        return requests.post(url, json=body, timeout=10).status_code == 401
    deadline = time.monotonic() + 60
    while not recovered():
        assert time.monotonic() < deadline, "no recovery after the broker came back"
        time.sleep(1)
