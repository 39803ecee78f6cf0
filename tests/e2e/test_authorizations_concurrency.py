"""Numbers and protocols under concurrency and crashes, in the distributed mode (PostgreSQL,
RabbitMQ): submissions spread over two authorizations processes never repeat or skip a request
number or a protocol; and while clients keep submitting, the authorizations process is killed
with SIGKILL and restarted — every request answered 2xx exists exactly once, the sequences have no
hole, and each ``request_submitted`` event is in the outbox once and reaches the broker."""
from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa
from kombu import Connection, Queue

from ponte.messaging import event_exchange
from tests.e2e.test_authorizations import REQUESTS, Desk, body
from tests.stack import wait_until


@pytest.fixture(scope="module")
def world(distributed_stack):
    desk = Desk(distributed_stack.client, distributed_stack.mail)
    return distributed_stack, desk.provider("Clínica Concorrida")


def database(stack) -> sa.Engine:
    return sa.create_engine(stack.env["PONTE_DB_URL"].replace("{service}", "authorizations"))


def stored(stack) -> list[tuple[str, str, str]]:
    engine = database(stack)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, number, protocol FROM requests "
                                    "WHERE number IS NOT NULL")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def assert_gap_free(rows: list[tuple[str, str, str]]) -> None:
    numbers = sorted(int(number) for _, number, _ in rows)
    assert numbers == list(range(1, len(rows) + 1)), "request numbers repeat or skip"
    by_day: dict[str, list[int]] = {}
    for _, _, protocol in rows:
        by_day.setdefault(protocol[:14], []).append(int(protocol[14:]))
    for day, sequence in by_day.items():
        assert sorted(sequence) == list(range(1, len(sequence) + 1)), f"protocols of {day}"


def submit_many(client, token: str, count: int, answers: list, failures: list,
                keys: list | None = None, deadline: float | None = None) -> None:
    """Submit ``count`` requests; with ``keys``, each retried with its Idempotency-Key until it
    gets a 2xx (or the deadline passes)."""
    for _ in range(count):
        key = uuid.uuid4().hex
        while True:
            try:
                answer = client.post(REQUESTS, token=token, json=body(),
                                     headers={"Idempotency-Key": key} if keys is not None else {})
            except Exception as exc:  # the connection itself failed
                answer = None
                error = repr(exc)
            if answer is not None and answer.status_code == 201:
                answers.append(answer.json())
                if keys is not None:
                    keys.append(key)
                break
            failures.append(answer.status_code if answer is not None else error)
            if keys is None or (deadline and time.monotonic() > deadline):
                break
            time.sleep(0.2)


def test_two_processes_never_repeat_or_skip_a_number(world):
    stack, provider = world
    stack.start_process("authorizations-2", "run", "authorizations")
    try:
        stack.wait_ready()
        answers: list[dict] = []
        failures: list = []
        keys: list[str] = []  # a 503 on a busy machine is retried with the same key
        deadline = time.monotonic() + 120
        threads = [threading.Thread(target=submit_many, args=(
            stack.client, provider["token"], 12, answers, failures, keys, deadline))
            for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stack.stop_process("authorizations-2")
    print(f"\nconcurrent submissions: {len(answers)} created, {len(failures)} attempts retried")
    assert len(answers) == 96
    numbers = [a["number"] for a in answers]
    protocols = [a["protocol"] for a in answers]
    assert len(set(numbers)) == len(numbers) and len(set(protocols)) == len(protocols)
    rows = stored(stack)
    assert {r[0] for r in rows} >= {a["id"] for a in answers}
    assert_gap_free(rows)


def test_sigkill_under_write_load_loses_and_repeats_nothing(world):
    stack, provider = world
    exchange = event_exchange("authorizations")
    probe = Queue(f"test-submitted-{uuid.uuid4().hex[:8]}", exchange=exchange,
                  routing_key="request_submitted", durable=True)
    with Connection(stack.env["AMQP_URI"]) as conn:
        probe.bind(conn).declare()
    before = {r[0] for r in stored(stack)}

    answers: list[dict] = []
    failures: list = []
    keys: list[str] = []
    deadline = time.monotonic() + 120
    threads = [threading.Thread(target=submit_many, args=(
        stack.client, provider["token"], 15, answers, failures, keys, deadline))
        for _ in range(6)]
    for thread in threads:
        thread.start()
    for kill in range(2):
        wait_until(lambda kill=kill: len(answers) >= 10 + 30 * kill, 60, 0.1, what="load")
        process = stack.processes.pop("authorizations")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(1.0)
        stack.start_process("authorizations", "run", "authorizations")
    for thread in threads:
        thread.join()
    stack.wait_ready()

    rows = [r for r in stored(stack) if r[0] not in before]
    created = {a["id"] for a in answers}
    print(f"\nSIGKILL under load: {len(answers)} answered 2xx, {len(failures)} failed attempts "
          f"retried ({Counter(map(str, failures)).most_common(3)}), {len(rows)} stored")
    assert len(answers) == 90 and len(set(keys)) == 90
    assert created <= {r[0] for r in rows}, "a request answered 2xx is missing"
    assert len(rows) == len(created), "a retried request was created twice"
    assert_gap_free(stored(stack))

    engine = database(stack)

    def outbox() -> list:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT id, payload, published_at FROM outbox "
                "WHERE event_type = 'request_submitted'")).all()
    wait_until(lambda: all(r.published_at for r in outbox()), 30, 0.5, what="the relay")
    submitted = Counter(r.payload["data"]["request_id"] for r in outbox())
    engine.dispose()
    assert all(submitted[request_id] == 1 for request_id in created)
    delivered: Counter = Counter()
    with Connection(stack.env["AMQP_URI"]) as conn:
        queue = probe.bind(conn)
        while (message := queue.get(no_ack=True)) is not None:
            if message.payload["data"]["request_id"] in created:
                delivered[message.payload["id"]] += 1
        queue.delete()
    repeats = sum(n - 1 for n in delivered.values())
    print(f"request_submitted: {len(submitted)} in the outbox (once per request), "
          f"{len(delivered)} distinct events delivered, {repeats} redelivered copies "
          "(same event id, dropped by consumers)")
    assert len(delivered) == len(created)
