"""Faults under a write load, in the distributed mode (RabbitMQ + PostgreSQL, one ``ponte run``
process per component, S3 on a moto server, e-mail over SMTP to a sink).

A mixed load goes through the gateway — providers submit authorization requests (half need an
audit), an auditor decides them, citizens register, ask for a password reset, submit service
requests that an attendant takes through analysis, approval and conclusion, and rate them — while,
in turn: each component is killed with SIGKILL and started again; RabbitMQ drops every connection
(``--gentle``: ``rabbitmqctl close_all_connections`` on this run's vhost) or restarts
(``stop_app``/``start_app``); notifications stops for a while; PostgreSQL stops (``--gentle``:
only this run's databases refuse connections and lose their sessions; otherwise
``pg_ctlcluster ... stop``). Afterwards it counts:

- every request answered 2xx exists exactly once, in the state its answer said;
- every event reached each subscriber exactly once (each e-mail's event id once per recipient,
  and the e-mails per event type equal what docs/events.md's "who is told" predicts);
- no answer was a 5xx other than 503; every 503 carried ``Retry-After`` and came within the RPC
  deadline; no request hung.

The gentle faults touch nothing but this run's vhost and databases, so they may run on a machine
other tests share (``make test`` runs a bounded gentle run: tests/e2e/test_faults_under_load.py).
The real RabbitMQ restart and PostgreSQL stop (``make chaos``) interrupt every user of the
machine's servers. Run: ``.venv/bin/python bench/chaos.py [--gentle] [--seconds-between 5]``.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.test_attendance import World, answers  # noqa: E402
from tests.e2e.test_authorizations import CONSULTATION, ROOT_CANAL, Desk, body  # noqa: E402
from tests.stack import (  # noqa: E402
    BIN,
    COMPONENTS,
    Stack,
    _port_open,
    _run,
    distributed_infrastructure,
    free_port,
    new_cpf,
    wait_until,
)

API = "/api/v1"
RETRYABLE = {429, 502, 503, 504}  # 429: a rate limit says when to come back
RPC_DEADLINE = 4.0  # PONTE_RPC_TIMEOUT's default; the scenario sets it explicitly
DEADLINE_SLACK = 2.0  # a 503 may take the RPC deadline plus this (HTTP, scheduling on 2 cores)
HUNG = 15.0  # an answer slower than this counts as hung
PASSWORD = "Citizen#2026"


# -- what happened ----------------------------------------------------------------------------

@dataclass
class Attempt:
    op: str
    started: float
    elapsed: float
    status: int | None  # None: the connection failed
    retry_after: str | None = None
    error: str = ""


@dataclass
class Window:
    fault: str
    started: float
    ended: float = 0.0  # the fault is over (process started, server back)
    ready: float = 0.0  # the gateway's /readyz answers 200 again


@dataclass
class Journal:
    attempts: list[Attempt] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    authorizations: dict[str, str] = field(default_factory=dict)  # id -> state the answer said
    decided: dict[str, str] = field(default_factory=dict)
    service_requests: dict[str, str] = field(default_factory=dict)
    ratings: set[str] = field(default_factory=set)
    citizens: dict[str, str] = field(default_factory=dict)  # account id -> e-mail
    resets: Counter = field(default_factory=Counter)  # e-mail -> resets answered 202
    # e-mail -> reset attempts whose answer was lost (a 503 or a dropped connection): the route
    # takes no Idempotency-Key, so each may have been a request of its own
    maybe_resets: Counter = field(default_factory=Counter)
    owner: dict[str, str] = field(default_factory=dict)  # request id -> account that asked
    addresses: dict[str, str] = field(default_factory=dict)  # account id -> e-mail address
    bulletins: set[str] = field(default_factory=set)  # bulletin ids answered 201
    maybe_bulletins: int = 0  # bulletin attempts whose answer was lost
    unresolved: list[str] = field(default_factory=list)  # operations that never got an answer
    lost_answers: int = 0  # a retry found the work done (409) after an answer was lost
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)


class Actor:
    """One person's HTTP session: retries what failed for want of a service (503, a dropped
    connection) until it gets an answer, with the same Idempotency-Key where the route takes one."""

    def __init__(self, stack: Stack, journal: Journal, login: str, password: str,
                 token: str | None = None) -> None:
        self.base, self.journal = stack.client.base_url, journal
        self.login_name, self.password = login, password
        self.http = requests.Session()
        self.token = token or self._login()

    def _login(self) -> str:
        answer = self.call("login", "POST", "/api/v1/sessions", authenticated=False,
                           json={"login": self.login_name, "password": self.password})
        return answer.json()["access_token"]

    def call(self, op: str, method: str, path: str, *, json: dict | None = None,
             params: dict | None = None, key: str | None = None, done_if_conflict: bool = False,
             authenticated: bool = True, patience: float = 120.0) -> requests.Response | None:
        """The final answer; None when none came in ``patience`` seconds. With
        ``done_if_conflict`` a 409 after a lost answer means the first attempt did the work."""
        give_up = time.monotonic() + patience
        failed_before = False
        self.ambiguous = 0  # attempts that may have done the work without saying so
        while True:
            headers = {"Idempotency-Key": key} if key else {}
            if authenticated:
                headers["Authorization"] = f"Bearer {self.token}"
            started = time.monotonic()
            try:
                answer = self.http.request(method, self.base + path, json=json, params=params,
                                           headers=headers, timeout=30)
                status, error = answer.status_code, ""
            except requests.RequestException as exc:
                answer, status, error = None, None, type(exc).__name__
                self.http = requests.Session()
            self.journal.add(Attempt(op, started, time.monotonic() - started, status,
                                     answer.headers.get("Retry-After") if answer is not None
                                     else None, error))
            if status == 401 and authenticated and op != "login":
                self.token = self._login()
                continue
            if status == 409 and failed_before and done_if_conflict:
                with self.journal.lock:
                    self.journal.lost_answers += 1
                return answer
            if status is not None and status not in RETRYABLE and status < 500:
                return answer
            if status != 429:  # refused before it reached a service: certainly not done
                failed_before = True
                self.ambiguous += 1
            if time.monotonic() > give_up:
                with self.journal.lock:
                    self.journal.unresolved.append(f"{op} {method} {path}")
                return None
            wait = float(answer.headers.get("Retry-After", 1)) if answer is not None and \
                status in (429, 503) else 0.5
            time.sleep(min(wait, 5.0 if status == 429 else 1.0))


# -- the people and their work ----------------------------------------------------------------

class Scenario:
    def __init__(self, stack: Stack, journal: Journal, pace: float = 0.0) -> None:
        self.stack, self.journal, self.pace = stack, journal, pace
        self.stop = threading.Event()
        desk = Desk(stack.client, stack.mail)
        world = World(stack.client, stack.mail)
        self.providers = [desk.provider(f"Clínica Caos {n}") for n in (1, 2)]
        for provider in self.providers:
            provider["account_id"] = stack.client.get(
                f"{API}/me", token=provider["token"]).json()["id"]
            journal.addresses[provider["account_id"]] = provider["email"].lower()
        self.auditor = desk.staff(["auditor"], "Aurora Auditora")
        self.operator = desk.staff(["operator"], "Olga Operadora")
        journal.addresses[self.auditor["id"]] = self.auditor["email"].lower()
        institution = world.institution("Secretaria do Caos")
        manager = world.manager_of(institution)
        self.attendant = world.attendant_of(institution, manager, "Ana Atendente")
        journal.addresses[self.attendant["id"]] = self.attendant["email"].lower()
        self.service = world.published_service(institution, manager)

    def actor(self, who: dict) -> Actor:
        return Actor(self.stack, self.journal, who["email"], who.get("password", "Senha#2026"),
                     who["token"])

    def provider_work(self, provider: dict) -> None:
        me = self.actor({**provider, "password": "Senha#2026"})
        n = 0
        while not self.stop.wait(self.pace):
            n += 1
            items = ([{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 36}] if n % 2
                     else [{"procedure_code": CONSULTATION, "quantity": 1}])
            answer = me.call("submit authorization", "POST", f"{API}/authorization-requests",
                             json=body(items=items), key=uuid.uuid4().hex)
            if answer is not None and answer.status_code == 201:
                with self.journal.lock:
                    self.journal.authorizations[answer.json()["id"]] = answer.json()["status"]
                    self.journal.owner[answer.json()["id"]] = provider["account_id"]
            elif answer is not None:
                self.unexpected("submit authorization", answer)

    def auditor_work(self) -> None:
        me = self.actor(self.auditor)
        while not self.stop.is_set():
            queue = me.call("audit queue", "GET", f"{API}/audit-queue", params={"limit": 10})
            items = queue.json()["items"] if queue is not None and queue.ok else []
            for item in items:
                if self.stop.is_set():
                    break
                answer = me.call("decide", "POST",
                                 f"{API}/authorization-requests/{item['id']}/decision",
                                 json={"outcome": "authorized"}, done_if_conflict=True)
                if answer is not None and answer.status_code == 200:
                    with self.journal.lock:
                        self.journal.decided[item["id"]] = answer.json()["status"]
                elif answer is not None and answer.status_code == 409:
                    with self.journal.lock:
                        self.journal.decided[item["id"]] = "authorized"  # lost answer
                elif answer is not None:
                    self.unexpected("decide", answer)
            if not items:
                time.sleep(0.3)

    def citizen_work(self) -> None:
        attendant = self.actor(self.attendant)
        anonymous = Actor.__new__(Actor)
        anonymous.base, anonymous.journal, anonymous.http = (self.stack.client.base_url,
                                                             self.journal, requests.Session())
        while not self.stop.wait(self.pace):
            address = f"caos-{uuid.uuid4().hex[:10]}@ponte.test"
            registered = anonymous.call("register citizen", "POST", f"{API}/citizens",
                                        authenticated=False, done_if_conflict=True, json={
                                            "cpf": new_cpf(), "email": address,
                                            "name": "Cida Cidadã", "password": PASSWORD,
                                            "password_confirmation": PASSWORD,
                                            "accepted_terms": True})
            if registered is None or registered.status_code not in (201, 409):
                self.unexpected("register citizen", registered)
                continue
            citizen = Actor(self.stack, self.journal, address, PASSWORD)
            me = citizen.call("me", "GET", f"{API}/me")
            with self.journal.lock:
                self.journal.citizens[me.json()["id"]] = address
                self.journal.addresses[me.json()["id"]] = address
            reset = anonymous.call("password reset", "POST", f"{API}/password-resets",
                                   authenticated=False, json={"email": address})
            if reset is not None and reset.status_code == 202:
                with self.journal.lock:
                    self.journal.resets[address] += 1
                    self.journal.maybe_resets[address] += anonymous.ambiguous
            submitted = citizen.call("submit service request", "POST",
                                     f"{API}/services/{self.service['id']}/requests",
                                     json={"answers": answers()}, key=uuid.uuid4().hex)
            if submitted is None or submitted.status_code != 201:
                self.unexpected("submit service request", submitted)
                continue
            request_id = submitted.json()["id"]
            with self.journal.lock:
                self.journal.owner[request_id] = me.json()["id"]
            self.note_request(request_id, "submitted")
            link = f"{API}/service-requests/{request_id}"
            for op, path, payload, state in (
                    ("start analysis", "start-analysis", None, "in_analysis"),
                    ("approve", "approve", {"attendant_id": self.attendant["id"]}, "in_progress"),
                    ("conclude", "conclude", {"note": "Documento emitido."}, "concluded")):
                answer = attendant.call(op, "POST", f"{link}/{path}", json=payload,
                                        done_if_conflict=True)
                if answer is None or answer.status_code not in (200, 409):
                    self.unexpected(op, answer)
                    break
                self.note_request(request_id, state)
            else:
                rated = citizen.call("rate", "POST", f"{link}/rating", done_if_conflict=True,
                                     json={"score": 5, "comment": "Rápido"})
                if rated is not None and rated.status_code in (201, 409):
                    with self.journal.lock:
                        self.journal.ratings.add(request_id)
                else:
                    self.unexpected("rate", rated)

    def operator_work(self, every: float) -> None:
        """Bulletins to every provider, one each ``every`` seconds."""
        me = self.actor(self.operator)
        n = 0
        while not self.stop.wait(every):
            n += 1
            answer = me.call("publish bulletin", "POST", f"{API}/bulletins", json={
                "title": f"Comunicado {n}", "body": "Novos prazos de auditoria."})
            with self.journal.lock:
                self.journal.maybe_bulletins += me.ambiguous
                if answer is not None and answer.status_code == 201:
                    self.journal.bulletins.add(answer.json()["id"])
            if answer is not None and answer.status_code != 201:
                self.unexpected("publish bulletin", answer)

    def note_request(self, request_id: str, state: str) -> None:
        with self.journal.lock:
            self.journal.service_requests[request_id] = state

    def unexpected(self, op: str, answer: requests.Response | None) -> None:
        if answer is not None:  # None is already in journal.unresolved
            with self.journal.lock:
                self.journal.unresolved.append(f"{op}: {answer.status_code} {answer.text[:200]}")

    def run_load(self, providers: int = 2, citizens: int = 2,
                 bulletin_every: float = 5.0) -> list[threading.Thread]:
        targets = [*(lambda p=p: self.provider_work(p) for p in self.providers[:providers]),
                   self.auditor_work, *(self.citizen_work for _ in range(citizens)),
                   lambda: self.operator_work(bulletin_every)]
        threads = [threading.Thread(target=self._guarded(target), daemon=True)
                   for target in targets]
        for thread in threads:
            thread.start()
        return threads

    def _guarded(self, target):  # noqa: ANN001, ANN202
        def run() -> None:
            try:
                target()
            except Exception as exc:  # a bug in the scenario must show, not silently stop load
                with self.journal.lock:
                    self.journal.unresolved.append(f"load thread died: {exc!r}")
        return run


# -- faults -----------------------------------------------------------------------------------

class Faults:
    def __init__(self, stack: Stack, journal: Journal, gentle: bool, notifications_down: float,
                 postgres_down: float) -> None:
        self.stack, self.journal, self.gentle = stack, journal, gentle
        self.notifications_down, self.postgres_down = notifications_down, postgres_down
        self.vhost = stack.env["AMQP_URI"].rsplit("/", 1)[1]
        pattern = stack.env["PONTE_DB_URL"].rsplit("/", 1)[1]
        self.databases = [pattern.replace("{service}", s) for s in COMPONENTS[:-1]]

    def plan(self) -> list[tuple[str, callable]]:
        kills = [(f"kill -9 {name}", lambda n=name: self.kill(n)) for name in COMPONENTS]
        rabbit = ("RabbitMQ drops all connections" if self.gentle else "RabbitMQ restart",
                  self.rabbitmq)
        notifications = (f"notifications stopped {self.notifications_down:.0f} s",
                         self.stop_notifications)
        postgres = (f"PostgreSQL {'refuses this run' if self.gentle else 'stopped'} "
                    f"{self.postgres_down:.0f} s", self.postgres)
        return [*kills, rabbit, notifications, postgres]

    def inflict(self, name: str, fault) -> None:  # noqa: ANN001
        window = Window(name, time.monotonic())
        self.journal.windows.append(window)
        fault()
        window.ended = time.monotonic()
        self.stack.wait_ready(timeout=120)
        window.ready = time.monotonic()

    def kill(self, name: str) -> None:
        process = self.stack.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(1.0)
        self.stack.start_process(name, "run", name)

    def stop_notifications(self) -> None:
        self.stack.stop_process("notifications")
        time.sleep(self.notifications_down)
        self.stack.start_process("notifications", "run", "notifications")

    def rabbitmq(self) -> None:
        if self.gentle:
            _run("rabbitmqctl", "close_all_connections", "--vhost", self.vhost, "--limit", "1000",
                 "chaos: connections dropped")
            time.sleep(2.0)
        else:
            _run("rabbitmqctl", "stop_app")
            time.sleep(5.0)
            _run("rabbitmqctl", "start_app")
            _run("rabbitmqctl", "await_startup")

    def postgres(self) -> None:
        if self.gentle:
            self._psql(*(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false' for db in self.databases),
                       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ("
                       + ", ".join(f"'{db}'" for db in self.databases) + ")")
            time.sleep(self.postgres_down)
            self._psql(*(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true' for db in self.databases))
        else:
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop",
                 "-m", "fast")
            time.sleep(self.postgres_down)
            _run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
            wait_until(lambda: _port_open(5432), 60, 0.5, "PostgreSQL")

    @staticmethod
    def _psql(*statements: str) -> None:
        for statement in statements:
            done = _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atc",
                        statement)
            if done.returncode:
                raise RuntimeError(f"{statement}: {done.stderr}")


# -- counting ---------------------------------------------------------------------------------

# Who is told, per event the load causes — docs/events.md, "Who is told": one inbox item per
# recipient and an e-mail (on by default for every type); nobody is told of their own act
# (authorizations events name their actor; attendance events do not). Keys are (account id,
# notification type); values (at least, at most) — more only where a lost answer may have been a
# request of its own (password resets and bulletins take no Idempotency-Key).
AUDITED = "awaiting_audit"


def expected_notifications(journal: Journal, attendant_id: str, auditor_id: str,
                           bulletins: set[str], provider_ids: list[str]
                           ) -> dict[tuple[str, str], tuple[int, int]]:
    expected: Counter = Counter()
    for account in journal.citizens:
        expected[(account, "identity.citizen_registered")] += 1
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    for address, resets in journal.resets.items():
        account = next(a for a, e in journal.citizens.items() if e == address)
        ranges[(account, "identity.password_reset_requested")] = (
            resets, resets + journal.maybe_resets[address])
    for request_id, status in journal.authorizations.items():
        if status == AUDITED:  # the provider submitted it (told nobody else of the provider
            expected[(auditor_id, "authorizations.request_submitted")] += 1  # side)
        if request_id in journal.decided:  # the auditor decided: the provider is told
            expected[(journal.owner[request_id], "authorizations.request_authorized")] += 1
    order = ["submitted", "in_analysis", "in_progress", "concluded"]
    for request_id, state in journal.service_requests.items():
        citizen, reached = journal.owner[request_id], order.index(state)
        expected[(citizen, "attendance.service_request_submitted")] += 1
        expected[(attendant_id, "attendance.service_request_submitted")] += 1
        if reached >= order.index("in_progress"):
            expected[(citizen, "attendance.service_request_approved")] += 1
            expected[(attendant_id, "attendance.service_request_approved")] += 1
        if reached >= order.index("concluded"):
            expected[(citizen, "attendance.service_request_concluded")] += 1
        if request_id in journal.ratings:
            expected[(attendant_id, "attendance.rating_submitted")] += 1
    for provider in provider_ids:
        expected[(provider, "notifications.bulletin_published")] += len(bulletins)
    ranges.update({key: (n, n) for key, n in expected.items()})
    return ranges


def read_emails(folder: Path) -> list[dict]:
    found = []
    for path in folder.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append({"to": str(message["To"]).lower(),
                      "type": str(message["X-Ponte-Notification-Type"]),
                      "event": str(message["X-Ponte-Event-Id"]),
                      "message_id": str(message["Message-ID"])})
    return found


def database(stack: Stack, service: str) -> sa.Engine:
    return sa.create_engine(stack.env["PONTE_DB_URL"].replace("{service}", service))


@dataclass
class Report:
    lines: list[str]
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        verdict = ["all checks passed"] if self.ok else ["FAILED:", *self.failures]
        return "\n".join([*self.lines, *verdict])


def count(stack: Stack, journal: Journal, mail_folder: Path, mail_patience: float,
          attendant_id: str, auditor_id: str, provider_ids: list[str]) -> Report:
    lines, failures = [], []
    attempts = journal.attempts

    # the table: one row per fault, attempts that started between the fault and readiness
    lines.append(f"{'fault':<38} {'outage s':>8} {'requests':>8} {'2xx':>5} {'503':>5} "
                 f"{'max 503 s':>9} {'other 5xx':>9} {'conn err':>8}")
    for window in journal.windows:
        during = [a for a in attempts if window.started <= a.started <= window.ready]
        unavailable = [a for a in during if a.status == 503]
        lines.append(
            f"{window.fault:<38} {window.ready - window.started:8.1f} {len(during):8d} "
            f"{sum(1 for a in during if a.status and a.status < 300):5d} {len(unavailable):5d} "
            f"{max((a.elapsed for a in unavailable), default=0):9.2f} "
            f"{sum(1 for a in during if a.status and a.status >= 500 and a.status != 503):9d} "
            f"{sum(1 for a in during if a.status is None):8d}")
    answered = [a for a in attempts if a.status is not None]
    lines.append(f"{'whole run':<38} {'':>8} {len(attempts):8d} "
                 f"{sum(1 for a in answered if a.status < 300):5d} "
                 f"{sum(1 for a in answered if a.status == 503):5d} "
                 f"{max((a.elapsed for a in answered if a.status == 503), default=0):9.2f} "
                 f"{sum(1 for a in answered if a.status >= 500 and a.status != 503):9d} "
                 f"{sum(1 for a in attempts if a.status is None):8d}")

    server_errors = Counter((a.op, a.status) for a in answered
                            if a.status >= 500 and a.status not in (503,))
    if server_errors:
        failures.append(f"answers that were 5xx but not 503: {dict(server_errors)}")
    no_retry_after = [a for a in answered if a.status == 503 and not a.retry_after]
    if no_retry_after:
        failures.append(f"{len(no_retry_after)} 503 answers without Retry-After")
    slow_503 = [a for a in answered if a.status == 503
                and a.elapsed > RPC_DEADLINE + DEADLINE_SLACK]
    if slow_503:
        slowest = max(a.elapsed for a in slow_503)
        failures.append(f"{len(slow_503)} 503 answers slower than the RPC deadline + "
                        f"{DEADLINE_SLACK:.0f} s (slowest {slowest:.1f} s)")
    hung = [a for a in attempts if a.elapsed > HUNG]
    if hung:
        failures.append(f"{len(hung)} requests took more than {HUNG:.0f} s: "
                        f"{Counter(a.op for a in hung).most_common(4)}")
    gateway_down = [w for w in journal.windows if w.fault == "kill -9 gateway"]
    stray = [a for a in attempts if a.status is None and not any(  # in flight at the kill too
        a.started <= w.ready and a.started + a.elapsed >= w.started for w in gateway_down)]
    if stray:
        failures.append(f"{len(stray)} connection failures while the gateway was up: "
                        f"{Counter(a.error for a in stray).most_common(3)}")
    if journal.unresolved:
        failures.append(f"{len(journal.unresolved)} operations without a proper answer: "
                        f"{journal.unresolved[:5]}")

    # requests answered 2xx exist exactly once, in the state their answer said
    engine = database(stack, "authorizations")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, status FROM requests")).all())
    engine.dispose()
    said = {**journal.authorizations, **journal.decided}
    missing = set(journal.authorizations) - set(rows)
    extra = set(rows) - set(journal.authorizations)
    wrong = {i: (s, rows[i]) for i, s in said.items() if i in rows and rows[i] != s}
    lines.append(f"authorization requests: {len(journal.authorizations)} answered 201, "
                 f"{len(rows)} stored, {len(journal.decided)} decided, missing {len(missing)}, "
                 f"extra {len(extra)}, in another state {len(wrong)}")
    if missing or extra or wrong:
        failures.append(f"authorization requests: missing {sorted(missing)[:3]}, "
                        f"extra {sorted(extra)[:3]}, state {list(wrong.items())[:3]}")
    engine = database(stack, "attendance")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, status FROM service_requests")).all())
        rated = Counter(conn.execute(sa.text("SELECT request_id FROM ratings")).scalars())
    engine.dispose()
    missing = set(journal.service_requests) - set(rows)
    extra = set(rows) - set(journal.service_requests)
    wrong = {i: (s, rows[i]) for i, s in journal.service_requests.items()
             if i in rows and rows[i] != s}
    twice = [i for i, n in rated.items() if n > 1]
    lines.append(f"service requests: {len(journal.service_requests)} answered 201, {len(rows)} "
                 f"stored, {len(journal.ratings)} rated ({sum(rated.values())} ratings stored), "
                 f"missing {len(missing)}, extra {len(extra)}, in another state {len(wrong)}")
    if missing or extra or wrong or twice or set(rated) != journal.ratings:
        failures.append(f"service requests: missing {sorted(missing)[:3]}, extra "
                        f"{sorted(extra)[:3]}, state {list(wrong.items())[:3]}, rated twice "
                        f"{twice[:3]}, ratings {len(rated)} vs {len(journal.ratings)}")

    # every event reached each subscriber once: inbox items and e-mails per (recipient, type)
    engine = database(stack, "notifications")

    def stored() -> set[str]:  # a bulletin answered 503 may still commit a moment later
        with engine.connect() as conn:
            return set(conn.execute(sa.text("SELECT id FROM bulletins")).scalars())
    stored_bulletins = stored()
    expected = expected_notifications(journal, attendant_id, auditor_id, stored_bulletins,
                                      provider_ids)
    types = {kind for _, kind in expected} | {"notifications.bulletin_published"}
    ours = set(journal.addresses)

    def inbox() -> Counter:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT account_id, type FROM notifications")).all()
        return Counter((a, t) for a, t in rows if a in ours and t in types)

    def mailed() -> Counter:
        """Distinct messages (by Message-ID, as a mail store keeps them) per recipient and type."""
        by_address = {e: a for a, e in journal.addresses.items()}
        distinct = {(m["message_id"], by_address[m["to"]], m["type"])
                    for m in read_emails(mail_folder)
                    if m["to"] in by_address and m["type"] in types}
        return Counter((account, kind) for _, account, kind in distinct)

    def complete() -> bool:
        have_items, have_mail = inbox(), mailed()
        return all(have_items[k] >= least and have_mail[k] >= least
                   for k, (least, _) in expected.items())
    # wait while e-mails keep arriving (a backlog drains at the delivery loop's pace), and at
    # most ``mail_patience`` seconds without progress
    waited, last, quiet_since = time.monotonic(), -1, time.monotonic()
    while not complete() and time.monotonic() - quiet_since < mail_patience:
        now_count = sum(mailed().values()) + sum(inbox().values())
        if now_count != last:
            last, quiet_since = now_count, time.monotonic()
        time.sleep(2.0)
    lines.append(f"waited {time.monotonic() - waited:.0f} s after the load for inbox items and "
                 f"e-mails")
    time.sleep(2.0)  # a late duplicate would show now
    stored_bulletins = stored()
    lost = stored_bulletins - journal.bulletins
    expected = expected_notifications(journal, attendant_id, auditor_id, stored_bulletins,
                                      provider_ids)
    lines.append(f"bulletins: {len(journal.bulletins)} answered 201, {len(stored_bulletins)} "
                 f"stored ({len(lost)} of them after a lost answer, at most "
                 f"{journal.maybe_bulletins} possible)")
    if not journal.bulletins <= stored_bulletins or len(lost) > journal.maybe_bulletins:
        failures.append(f"bulletins: answered {len(journal.bulletins)}, stored "
                        f"{len(stored_bulletins)}, possible extra {journal.maybe_bulletins}")
    everything = read_emails(mail_folder)
    by_event: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in everything:
        by_event[(m["to"], m["event"])].append(m["message_id"])
    # the same e-mail twice (one Message-ID): handed over, then the process died before
    # recording it — at most one per kill -9 of notifications; two messages for one event and
    # recipient would be a real duplicate
    duplicates = {k: len(ids) for k, ids in by_event.items() if len(set(ids)) > 1}
    resent = sum(len(ids) - len(set(ids)) for ids in by_event.values())
    kills = sum(1 for w in journal.windows if w.fault == "kill -9 notifications")
    for what, got in (("inbox items", inbox()), ("e-mails", mailed())):
        short = {k: (r, got[k]) for k, r in expected.items() if got[k] < r[0]}
        surplus = {k: (expected.get(k, (0, 0)), n) for k, n in got.items()
                   if n > expected.get(k, (0, 0))[1]}
        per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for (_, kind), (least, most) in expected.items():
            per_type[kind][0] += least
            per_type[kind][1] += most
        for (_, kind), n in got.items():
            per_type[kind][2] += n
        for kind, (least, most, have) in sorted(per_type.items()):
            span = f"{least}" if least == most else f"{least} to {most}"
            lines.append(f"{what} {kind}: expected {span}, received {have}")
        if short or surplus:
            failures.append(f"{what}: missing {list(short.items())[:3]}, surplus "
                            f"{list(surplus.items())[:3]}")
    engine.dispose()
    lines.append(f"e-mails: {len(everything)} received; two messages for one event and "
                 f"recipient: {len(duplicates)}; one message handed over twice (same Message-ID, "
                 f"at most one per kill -9 of notifications, here {kills}): {resent}; answers "
                 f"lost and found done on retry: {journal.lost_answers}")
    if duplicates:
        failures.append(f"e-mails twice: {list(duplicates.items())[:3]}")
    if resent > kills:
        failures.append(f"{resent} e-mails handed over twice, more than the {kills} kills of "
                        "notifications explain")
    return Report(lines, failures)


# -- the run ----------------------------------------------------------------------------------

def run(workdir: Path, *, gentle: bool, between: float, notifications_down: float,
        postgres_down: float, providers: int = 2, citizens: int = 2, pace: float = 0.0,
        bulletin_every: float = 5.0,
        only: list[str] | None = None, mail_patience: float = 120.0) -> Report:
    stack = Stack("distributed", workdir)
    smtp_port = free_port()
    outbox = stack.data_dir / "outbox"
    stack.env.update({"PONTE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
                      "PONTE_RPC_TIMEOUT": str(RPC_DEADLINE)})
    sink = subprocess.Popen([str(BIN / "python"), str(ROOT / "bench" / "smtp_sink.py"),
                             str(smtp_port), str(outbox)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    stack.cleanups.append(lambda: (sink.terminate(), sink.wait()))
    try:
        wait_until(lambda: _port_open(smtp_port), 20, what="the SMTP sink")
        distributed_infrastructure(stack)
        stack.start()
        journal = Journal()
        scenario = Scenario(stack, journal, pace)
        faults = Faults(stack, journal, gentle, notifications_down, postgres_down)
        threads = scenario.run_load(providers, citizens, bulletin_every)
        try:
            time.sleep(between)
            for name, fault in faults.plan():
                if only and not any(word in name for word in only):
                    continue
                faults.inflict(name, fault)
                time.sleep(between)
        finally:
            scenario.stop.set()
            for thread in threads:
                thread.join(150)
            alive = [t for t in threads if t.is_alive()]
            if alive:
                journal.unresolved.append(f"{len(alive)} load threads still running (hung)")
        return count(stack, journal, outbox, mail_patience, scenario.attendant["id"],
                     scenario.auditor["id"], [p["account_id"] for p in scenario.providers])
    finally:
        for process in stack.processes.values():  # all at once: each may take seconds to stop
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        try:
            stack.stop()
        finally:
            for name in ("gateway", *COMPONENTS):
                errors = stack.log(name).count('"level": "ERROR"')
                if errors:
                    print(f"({name} logged {errors} errors: {workdir / (name + '.log')})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gentle", action="store_true",
                        help="fault only this run's vhost and databases (safe on a shared machine)")
    parser.add_argument("--seconds-between", type=float, default=8.0)
    parser.add_argument("--notifications-down", type=float, default=60.0)
    parser.add_argument("--postgres-down", type=float, default=10.0)
    parser.add_argument("--only", nargs="*", help="faults whose name contains one of these words")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ponte-chaos-"))
    started = time.monotonic()
    report = run(workdir, gentle=args.gentle, between=args.seconds_between,
                 notifications_down=args.notifications_down, postgres_down=args.postgres_down,
                 only=args.only)
    print(f"faults under a write load ({'gentle' if args.gentle else 'real'} outages), "
          f"{time.monotonic() - started:.0f} s, logs in {workdir}")
    print(report)
    if not args.keep and report.ok:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
