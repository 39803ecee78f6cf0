"""The HTTP edge against a real ``ponte up`` process: slow or huge requests cost a socket, not a
worker; chunked bodies are read; the server's own errors are problem documents; headers."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import time
import uuid

import pytest
import requests

from tests.stack import Stack, register_citizen

REQUEST_TIMEOUT = 4  # PONTE_HTTP_REQUEST_TIMEOUT of this module's stack


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    running = Stack("embedded", tmp_path_factory.mktemp("edge"), env={
        "PONTE_HTTP_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT), "PONTE_HTTP_IDLE_TIMEOUT": "3",
        "PONTE_RATE_LIMIT_FACTOR": "1"})  # the default limits: the last tests exhaust them
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _connect(stack: Stack) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", stack.port), timeout=10)
    return sock


def _answer(sock: socket.socket, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Read one HTTP answer (status, headers, body) from a raw socket."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":")
                                                           for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _raw(stack: Stack, data: bytes) -> tuple[int, dict, bytes]:
    with _connect(stack) as sock:
        sock.sendall(data)
        return _answer(sock)


def _rss_kib(stack: Stack) -> int:
    status = open(f"/proc/{stack.processes['ponte-up'].pid}/status").read()
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith("VmRSS:")))


def test_slow_clients_cost_sockets_not_workers(edge):
    """500 clients that announce a body and send one byte of it, and 100 that never finish
    their headers, while a normal request is answered in well under a second."""
    slow = []
    try:
        for index in range(600):
            sock = _connect(edge)
            if index < 500:
                sock.sendall(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
            else:
                sock.sendall(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(sock)
        time.sleep(1)
        for _attempt in range(3):
            started = time.monotonic()
            assert requests.get(edge.client.base_url + "/healthz", timeout=10).status_code == 200
            answer = requests.post(edge.client.base_url + "/api/v1/sessions", timeout=10,
                                   json={"login": "nobody@ponte.test", "password": "x"})
            assert answer.status_code == 401
            assert time.monotonic() - started < 1.0
    finally:
        for sock in slow:
            sock.close()


def test_a_burst_of_connections_waits_for_a_busy_server(edge):
    """300 clients connecting at once while the server cannot accept (stopped for a moment, as
    on a starved host) are all let in by the kernel, then answered. With eventlet's backlog of
    50, the handshakes beyond it were dropped and retried seconds later."""
    pid = edge.processes["ponte-up"].pid
    socks = []
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(300):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", edge.port))
            socks.append(sock)
        deadline, connected = time.monotonic() + 3, set()
        while len(connected) < len(socks) and time.monotonic() < deadline:
            waiting = [sock for sock in socks if sock not in connected]
            connected.update(select.select([], waiting, [], 0.2)[1])
    finally:
        os.kill(pid, signal.SIGCONT)
    try:
        assert len(connected) == 300
        for sock in socks:
            sock.setblocking(True)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert [_answer(sock)[0] for sock in socks] == [200] * 300
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("start", [
    b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"
    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "], ids=["body", "headers"])
def test_a_trickling_request_is_cut_at_the_deadline(edge, start):
    """One byte a second never trips the idle timeout, but the whole request has a deadline."""
    with _connect(edge) as sock:
        sock.sendall(start)
        started = time.monotonic()
        status = None
        while time.monotonic() - started < REQUEST_TIMEOUT + 5:
            readable, _, _ = select.select([sock], [], [], 1)
            if readable:
                status, headers, body = _answer(sock)
                break
            sock.sendall(b"a")
        assert status == 408
        assert headers["content-type"] == "application/problem+json"
        assert time.monotonic() - started < REQUEST_TIMEOUT + 2


@pytest.mark.parametrize("start", [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half",
    b"GET /healthz HTT"], ids=["headers", "request line"])
def test_a_request_that_stops_arriving_is_answered_408(edge, start):
    """A client that goes quiet mid-request for longer than the idle timeout (3 s here) is told
    why the connection ends, not left with a silent close."""
    with _connect(edge) as sock:
        sock.sendall(start)
        started = time.monotonic()
        status, headers, body = _answer(sock, timeout=REQUEST_TIMEOUT + 5)
    assert status == 408, body
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 408
    assert 2.5 < time.monotonic() - started < REQUEST_TIMEOUT + 1


def test_a_large_body_sent_slowly_gets_time_for_its_size(edge):
    """A 200 KB upload taking longer than the request deadline (4 s here) still arrives: the
    deadline grows with the announced size (16 KiB/s)."""
    citizen = register_citizen(edge.client)
    boundary = "b" + uuid.uuid4().hex
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + png + (
        f"\r\n--{boundary}--\r\n").encode()
    with _connect(edge) as sock:
        sock.sendall(f"POST /api/v1/uploads HTTP/1.1\r\nHost: x\r\n"
                     f"Authorization: Bearer {citizen['token']}\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode())
        started, step = time.monotonic(), len(body) // 12
        for offset in range(0, len(body), step):
            sock.sendall(body[offset:offset + step])
            time.sleep(0.5)
        assert time.monotonic() - started > REQUEST_TIMEOUT
        status, _headers, answer = _answer(sock)
    assert status == 201, answer


def _stream_until_answered(sock: socket.socket, total: int,
                           chunked: bool) -> tuple[int, dict, bytes, int]:
    """Send up to ``total`` bytes of body, stopping as soon as the server answers."""
    piece, sent, pending = b"[" + b"1," * 32767, 0, b""
    if chunked:
        piece = b"%x\r\n" % len(piece) + piece + b"\r\n"
    sock.setblocking(False)
    try:
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                break
            if writable:
                pending = pending or piece
                try:
                    written = sock.send(pending)
                    sent, pending = sent + written, pending[written:]
                except (BlockingIOError, InterruptedError):
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    break
    finally:
        sock.setblocking(True)
    return (*_answer(sock), sent)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_json_body_is_refused_while_streaming(edge, chunked):
    before = _rss_kib(edge)
    total = 300 * 1024 * 1024
    with _connect(edge) as sock:
        framing = (b"Transfer-Encoding: chunked" if chunked
                   else b"Content-Length: %d" % total)
        sock.sendall(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\n" + framing + b"\r\n\r\n")
        status, headers, body, sent = _stream_until_answered(sock, total, chunked)
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413
    assert sent < 64 * 1024 * 1024
    assert _rss_kib(edge) - before < 30 * 1024  # memory stays flat
    assert edge.client.get("/healthz").status_code == 200


def test_chunked_json_and_uploads_are_read(edge):
    citizen = register_citizen(edge.client)
    body = json.dumps({"login": citizen["email"], "password": citizen["password"]}).encode()
    answer = requests.post(edge.client.base_url + "/api/v1/sessions", data=iter([body[:10],
                           body[10:]]), headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 200, answer.text
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000
    boundary = "b" + uuid.uuid4().hex
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"x-ray.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + png + (
        f"\r\n--{boundary}--\r\n").encode()
    answer = requests.post(edge.client.base_url + "/api/v1/uploads",
                           data=iter([multipart[:100], multipart[100:]]), timeout=10,
                           headers={"Authorization": f"Bearer {citizen['token']}",
                                    "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["size"] == len(png)


def test_other_transfer_codings_are_411(edge):
    status, headers, body = _raw(edge, b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"
                                       b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
    assert status == 411
    assert headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("request_bytes, status", [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120))
     + b"\r\n", 431),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
    (b"GET /healthz HTTP/x.y\r\nHost: x\r\n\r\n", 400),
    (b"POST /api/v1/password-resets/%0F%0A HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
     404),
    (b"GET /no/such/thing HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    (b"TRACE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405),
], ids=["414", "431-line", "431-count", "400-length", "400-version", "404-unroutable",
        "404", "405", "405-method"])
def test_the_servers_own_errors_are_problem_documents(edge, request_bytes, status):
    got, headers, body = _raw(edge, request_bytes)
    assert got == status, body
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == status
    assert headers["x-content-type-options"] == "nosniff"
    if status == 405:
        assert "GET" in headers["allow"]


def test_every_answer_is_nosniff_tokens_are_not_cached_and_docs_not_framed(edge):
    citizen = register_citizen(edge.client)
    tokens = edge.client.post("/api/v1/sessions", json={"login": citizen["email"],
                                                         "password": citizen["password"]})
    assert tokens.headers["Cache-Control"] == "no-store"
    refreshed = edge.client.post("/api/v1/sessions/refresh",
                                 json={"refresh_token": tokens.json()["refresh_token"]})
    assert refreshed.headers["Cache-Control"] == "no-store"
    for answer in (tokens, refreshed, edge.client.get("/healthz"), edge.client.get("/nowhere"),
                   edge.client.get("/api/docs"), edge.client.get("/api/openapi.json")):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    docs = edge.client.get("/api/docs")
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]
    assert "default-src 'none'" in docs.headers["Content-Security-Policy"]


@pytest.mark.parametrize("value", ["a\r\n b", "x" * 65, "<script>", "a b", "é"])
def test_an_unsafe_correlation_id_is_replaced(edge, value):
    with _connect(edge) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Correlation-Id: "
                     + value.encode() + b"\r\n\r\n")
        status, headers, _body = _answer(sock)
    assert status == 200
    assert headers["x-correlation-id"] != value.split("\r\n")[0]
    assert len(headers["x-correlation-id"]) == 32


def test_a_safe_correlation_id_is_kept(edge):
    answer = edge.client.get("/healthz", headers={"X-Correlation-Id": "req-1.2:3_x"})
    assert answer.headers["X-Correlation-Id"] == "req-1.2:3_x"


# the rate limits at their defaults; these come last: they use up this address's budget

def test_authenticated_writes_are_limited_per_account(edge):
    mine, other = register_citizen(edge.client), register_citizen(edge.client)
    started, answers = time.monotonic(), []
    while len(answers) < 400 and (not answers or answers[-1].status_code != 429):
        answers.append(edge.client.patch("/api/v1/me", token=mine["token"],
                                         json={"name": f"Cida {len(answers)}"}))
    refilled = 2 * (time.monotonic() - started)  # 120 a minute come back at 2 a second
    statuses = [answer.status_code for answer in answers]
    assert set(statuses[:-1]) == {200} and statuses[-1] == 429
    assert 120 <= len(statuses) - 1 <= 120 + refilled + 1
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert edge.client.get("/api/v1/me", token=mine["token"]).status_code == 200  # reads
    assert edge.client.patch("/api/v1/me", token=other["token"],
                             json={"name": "Other"}).status_code == 200


def test_public_endpoints_are_limited_per_client_address(edge):
    answers = [edge.client.post("/api/v1/citizens", json={}) for _ in range(40)]
    statuses = [answer.status_code for answer in answers]
    first_refusal = statuses.index(429)  # earlier tests registered a few citizens too
    assert 20 <= first_refusal <= 31, statuses
    assert set(statuses[:first_refusal]) == {422}
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429 and int(refused.headers["Retry-After"]) >= 1
    spoofed = [edge.client.post("/api/v1/citizens", json={},
                                headers={"X-Forwarded-For": "198.51.100.23"}).status_code
               for _ in range(3)]
    assert 429 in spoofed  # the peer is no trusted proxy: no fresh bucket for a forged address
    assert edge.client.get("/healthz").status_code == 200
