"""Run Ponte the way people do, as real processes, for end-to-end tests.

``embedded``: one ``ponte up`` (in-process broker, SQLite, local object store, .eml outbox).
``distributed``: one ``ponte run <component>`` process per component on the machine's RabbitMQ
(its own vhost) and PostgreSQL (fresh databases), with S3 served by a moto server over HTTP.
"""
from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from ponte.documents import cnpj_check_digits, cpf_check_digits

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPONENTS = ("identity", "relationships", "authorizations", "attendance", "notifications",
              "gateway")
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@ponte.test", "Admin#2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Client:
    """requests, bound to the gateway, with a token when given."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def request(self, method: str, path: str, token: str | None = None, **kwargs: Any):
        headers = kwargs.pop("headers", {})
        if path.startswith("/api/"):  # the API messages tests compare are English
            headers.setdefault("Accept-Language", "en")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30,
                                 **kwargs)

    def get(self, path: str, **kw: Any):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any):
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any):
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any):
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any):
        return self.request("DELETE", path, **kw)

    def login(self, login: str, password: str, **extra: Any) -> dict:
        answer = self.post("/api/v1/sessions", json={"login": login, "password": password, **extra})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def token(self, login: str, password: str) -> str:
        return self.login(login, password)["access_token"]


class Mailbox:
    """E-mails written as .eml files by the notifications service."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def messages(self, to: str | None = None) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if to is None or to.lower() in str(message["To"]).lower():
                found.append(message)
        return found

    def wait_for(self, to: str, subject: str = "", timeout: float = 20.0,
                 containing: str = ""):
        """The newest e-mail to ``to`` whose subject has ``subject`` and body ``containing``."""
        def match():
            for message in reversed(self.messages(to)):
                if (subject.lower() in str(message["Subject"]).lower()
                        and containing in self.body(message)):
                    return message
            return None
        return wait_until(match, timeout, what=f"an e-mail to {to} about {subject!r}")

    @staticmethod
    def body(message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content()

    def token(self, to: str, subject: str = "") -> str:
        text = self.body(self.wait_for(to, subject, containing="Token: "))
        return re.search(r"^Token: (\S+)$", text, re.M).group(1)


class Stack:
    def __init__(self, kind: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.workdir = workdir
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.data_dir = workdir / "data"
        self.env = {**os.environ, "PONTE_DATA_DIR": str(self.data_dir),
                    "PONTE_HTTP_ADDRESS": f"127.0.0.1:{self.port}",
                    "PONTE_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
                    "PONTE_ADMIN_EMAIL": ADMIN_EMAIL, "PONTE_ADMIN_PASSWORD": ADMIN_PASSWORD,
                    "PONTE_OPERATOR_ANS_CODE": "324477", "PONTE_SECRET_KEY": uuid.uuid4().hex,
                    "PONTE_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
                    # acceptance tests hammer the API from one address; the edge tests that
                    # check the limits themselves start their stack with the factor at 1
                    "PONTE_RATE_LIMIT_FACTOR": "1000", **(env or {})}
        for var in ("AMQP_URI", "PONTE_DB_URL", "PONTE_STORAGE_URL", "PONTE_SMTP_URL"):
            self.env.pop(var, None)
        self.client = Client(f"http://127.0.0.1:{self.port}")
        self.mail = Mailbox(self.data_dir / "outbox")
        self.cleanups: list = []

    def start_process(self, name: str, *args: str, env: dict | None = None) -> None:
        log = open(self.workdir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            [str(BIN / "ponte"), *args], cwd=self.workdir, env={**self.env, **(env or {})},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> Stack:
        if self.kind == "embedded":
            self.start_process("ponte-up", "up")
        else:
            for component in COMPONENTS:
                self.start_process(component, "run", component)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        def ready():
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise AssertionError(f"{name} exited early:\n{self.log(name)[-3000:]}")
            try:
                return self.client.get("/readyz").status_code == 200
            except requests.ConnectionError:
                return False
        wait_until(ready, timeout, 0.3, "the stack to be ready")

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_process(self, name: str) -> None:
        proc = self.processes.pop(name)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)
        for cleanup in reversed(self.cleanups):
            cleanup()


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def distributed_infrastructure(stack: Stack) -> None:
    """A fresh RabbitMQ vhost, PostgreSQL databases and a moto S3 server for one stack."""
    tag = f"ponte_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
    vhost = tag
    if _run("rabbitmqctl", "add_vhost", vhost).returncode == 0:
        _run("rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        stack.cleanups.append(lambda: _run("rabbitmqctl", "delete_vhost", vhost))
        stack.env["AMQP_URI"] = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    else:
        stack.env["AMQP_URI"] = "amqp://guest:guest@127.0.0.1:5672/"
    stack.env["PONTE_DB_URL"] = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{tag}_{{service}}"

    def drop_databases() -> None:
        for service in COMPONENTS[:-1]:
            _run("psql", "-h", "127.0.0.1", "-U", "postgres", "-c",
                 f'DROP DATABASE IF EXISTS "{tag}_{service}" WITH (FORCE)')
    stack.cleanups.append(drop_databases)

    s3_port = free_port()
    moto = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.cleanups.append(lambda: (moto.terminate(), moto.wait()))
    wait_until(lambda: _port_open(s3_port), 20, what="the S3 server")
    stack.env.update({"PONTE_STORAGE_URL": f"s3://{tag.replace('_', '-')}",
                      "PONTE_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
                      "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                      "AWS_DEFAULT_REGION": "us-east-1"})


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def infrastructure_missing() -> str | None:
    """Why the distributed half cannot run here, or None. Installed-but-stopped servers are
    started by ``scripts/ensure-infrastructure`` before the tests."""
    if not shutil.which("rabbitmq-server") and not _port_open(5672):
        return "RabbitMQ is not installed"
    if not shutil.which("psql") and not _port_open(5432):
        return "PostgreSQL is not installed"
    if not _port_open(5672) or not _port_open(5432):
        return "RabbitMQ or PostgreSQL is installed but not running"
    return None


def require_infrastructure(what: str) -> None:
    """For a test that needs the machine's RabbitMQ and PostgreSQL: skipped (saying why) where
    they are missing, but a failure in CI (``CI=true``), where nothing may be skipped silently."""
    import pytest
    reason = infrastructure_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run this test ({what}): {reason}")
        pytest.skip(f"{what}: {reason}")


def new_cpf(seed: int | None = None) -> str:
    """A valid CPF, different on every call unless seeded."""
    base = f"{(seed if seed is not None else uuid.uuid4().int) % 10**9:09d}"
    if len(set(base)) == 1:  # all-same digits are never valid
        base = str((int(base[0]) + 1) % 10) + base[1:]
    return base + cpf_check_digits(base)


def new_cnpj() -> str:
    """A valid alphanumeric CNPJ, different on every call."""
    base = uuid.uuid4().hex[:8].upper() + "0001"
    return base + cnpj_check_digits(base)


def register_citizen(client: Client, password: str = "Citizen#1") -> dict:
    """A citizen registered through the public API, signed in: {email, password, token, id}."""
    email = f"citizen-{uuid.uuid4().hex[:10]}@ponte.test"
    answer = client.post("/api/v1/citizens", json={
        "cpf": new_cpf(), "email": email, "name": "Cida Cidadã", "password": password,
        "password_confirmation": password, "accepted_terms": True})
    assert answer.status_code == 201, answer.text
    session = client.login(email, password)
    return {"email": email, "password": password, "token": session["access_token"],
            "id": session["account"]["id"]}


COMPLETE_PROFILE = {"address": {"street": "Rua da Assembleia", "number": "10", "complement": None,
                                "district": "Centro", "city": "Rio de Janeiro", "state": "RJ",
                                "postal_code": "20011-000"},
                    "phones": ["(21) 3479-1200"]}


def complete_profile(client: Client, provider_id: str, token: str) -> None:
    """Fill in what a provider needs before submitting requests or taking bookings (API.md
    ``missing_profile``): a full address and a phone."""
    answer = client.patch(f"/api/v1/providers/{provider_id}/profile", token=token,
                          json=COMPLETE_PROFILE)
    assert answer.status_code == 200, answer.text
