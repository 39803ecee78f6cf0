"""What happens when processes stop and start, in the distributed mode: a service that is down
gives a quick 503, events wait for a consumer that is down, and replicas share the work."""
from __future__ import annotations

import re
import time

import requests

from tests.stack import free_port, register_citizen, wait_until


def test_a_stopped_service_gives_503_with_retry_after_within_five_seconds(distributed_stack):
    stack, client = distributed_stack, distributed_stack.client
    citizen = register_citizen(client)
    stack.stop_process("identity")
    try:
        started = time.monotonic()
        answer = client.post("/api/v1/sessions", json={"login": citizen["email"],
                                                       "password": citizen["password"]})
        assert time.monotonic() - started <= 5.0
        assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "identity" in ready.json()["down"]
    finally:
        stack.start_process("identity", "run", "identity")
    stack.wait_ready()
    assert client.login(citizen["email"], citizen["password"])["access_token"]


def test_events_published_while_their_consumer_is_down_are_delivered_later(distributed_stack):
    stack, client = distributed_stack, distributed_stack.client
    citizen = register_citizen(client)
    stack.stop_process("notifications")
    try:
        assert client.post("/api/v1/password-resets",
                           json={"email": citizen["email"]}).status_code == 202
        time.sleep(1.5)
        assert not [m for m in stack.mail.messages(citizen["email"])
                    if "Token:" in stack.mail.body(m)]
    finally:
        stack.start_process("notifications", "run", "notifications")
    assert stack.mail.token(citizen["email"])


def test_replicas_of_a_service_share_its_work(distributed_stack):
    stack, client = distributed_stack, distributed_stack.client
    citizen = register_citizen(client)
    metrics_port = free_port()
    stack.start_process("identity-2", "run", "identity",
                        env={"PONTE_METRICS_PORT": str(metrics_port)})
    try:
        def served_by_replica() -> bool:
            for _ in range(20):
                assert client.get("/api/v1/me", token=citizen["token"]).status_code == 200
            try:
                text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=2).text
            except requests.ConnectionError:
                return False
            found = re.search(r'ponte_rpc_duration_seconds_count\{method_name="get_me",'
                              r'outcome="success",service="identity"\} (\d+)', text)
            return bool(found and float(found.group(1)) > 0)
        wait_until(served_by_replica, 30, 0.5, "the second identity replica to serve /me")
    finally:
        stack.stop_process("identity-2")
