"""The gateway's HTTP server: nameko's eventlet WSGI server, with the request read *before* a nameko
worker is taken.

nameko spawns a green thread per connection and a worker (at most ``max_workers``) per request, and
the route handler used to read the body inside that worker: 200 clients sending a body slowly held
every worker. Here the connection's own green thread reads the headers and the body under deadlines
(``PONTE_HTTP_IDLE_TIMEOUT`` between bytes, ``PONTE_HTTP_REQUEST_TIMEOUT`` for the whole request,
plus time for a large body at ``PONTE_HTTP_MIN_BODY_RATE``) and limits (``PONTE_MAX_JSON_BYTES``
for any body but a multipart upload, the upload limit for those), refusing too large a body with
413 while it streams. Only a request read whole reaches a worker, its body spooled (memory up to 1
MiB, then a temporary file). A slow client costs a socket and a green thread, never a worker.

Chunked bodies are read the same way (and then passed on with a ``Content-Length``); other transfer
codings are 411. Errors the server answers itself (400, 404 for a path no rule matches, 405, 408,
411, 413, 414, 431) are problem documents like every other error."""
from __future__ import annotations

import json
import socket
import tempfile
import time
from collections.abc import Callable
from typing import Any

import eventlet
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from gateway.problems import PROBLEM, localize, problem_response
from ponte import storage
from ponte.config import settings
from ponte.errors import BadRequest, PayloadTooLarge, PonteError

MAX_UPLOAD_BYTES = 10 * storage.MiB + 64 * 1024  # the largest upload plus multipart framing
SPOOL_IN_MEMORY = 1024 * 1024
READ_SIZE = 64 * 1024
LINGER_SECONDS, LINGER_BYTES = 2, 64 * 1024 * 1024


class Deadline(Exception):
    """Reading the request took longer than ``PONTE_HTTP_REQUEST_TIMEOUT``."""


class RequestTimeout(PonteError):
    status, title = 408, "Request timeout"


class LengthRequired(PonteError):
    status, title = 411, "Length required"


class UriTooLong(PonteError):
    status, title = 414, "URI too long"


class HeadersTooLarge(PonteError):
    status, title = 431, "Request header fields too large"


def harden(response: Response) -> Response:
    """Headers every answer carries: no content sniffing, no caching of what may be personal
    (token answers above all) unless the route chose otherwise, and no framing."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    else:
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def raw_problem(error: PonteError) -> bytes:
    """A whole HTTP/1.0 answer for errors found before there is a request to answer."""
    body = json.dumps({"type": f"https://ponte.dev/problems/{error.status}",
                       "title": error.title, "status": error.status,
                       "detail": error.detail}).encode()
    head = (f"HTTP/1.0 {error.status} {error.title}\r\nContent-Type: {PROBLEM}\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n")
    return head.encode() + body


# eventlet writes these fixed answers itself; they become problem documents
_EVENTLET_ANSWERS = {
    b"HTTP/1.0 414 ": UriTooLong("The request line is longer than the server accepts."),
    b"HTTP/1.0 400 Header Line Too Long": HeadersTooLarge("A header line is too long."),
    b"HTTP/1.0 400 Headers Too Large": HeadersTooLarge("The headers are too large."),
    b"HTTP/1.0 400 Bad Request": BadRequest("The request is malformed."),
}


class _ProblemWriter:
    """Wraps the connection's output while eventlet parses a request, replacing its plain
    error answers with problem documents."""

    def __init__(self, wfile: Any) -> None:
        self._wfile = wfile

    def write(self, data: bytes) -> int:
        for prefix, error in _EVENTLET_ANSWERS.items():
            if bytes(data).startswith(prefix) and PROBLEM.encode() not in data:
                return self._wfile.write(raw_problem(error))
        return self._wfile.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wfile, name)


class Protocol(HttpOnlyProtocol):
    """eventlet's HTTP protocol with a deadline on reading each request (headers here, the
    body in :class:`EdgeApp`), and problem documents for the errors it answers itself."""

    def setup(self) -> None:
        # An answer leaves in several writes (status and headers, then the body): with Nagle's
        # algorithm and the client's delayed ACK, a mid-sized JSON answer would wait ~40 ms.
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):  # not a TCP socket (tests may pass a pair)
            pass
        super().setup()

    def handle_one_request(self) -> None:
        config = settings()
        try:  # an idle keep-alive connection waits for its next request this long
            self.connection.settimeout(config.http_keepalive_timeout)
            if not self.rfile.peek(1):
                self.close_connection = 1
                return
        except (OSError, ValueError):
            self.close_connection = 1
            return
        self.connection.settimeout(config.http_idle_timeout)
        self._started = time.monotonic()
        self._parsed = False
        self._deadline = eventlet.Timeout(config.http_request_timeout, Deadline())
        wfile, self.wfile = self.wfile, _ProblemWriter(self.wfile)
        try:
            super().handle_one_request()
        except Deadline:
            self._time_out("The request was not sent in time.")
        except TimeoutError:  # nothing for PONTE_HTTP_IDLE_TIMEOUT
            if self._parsed:  # the answer had started: a client that stopped reading it
                self.close_connection = 1
            else:
                self._time_out("The request stopped arriving before it was complete.")
        finally:
            self._deadline.cancel()
            self.wfile = wfile

    def _time_out(self, detail: str) -> None:
        """Answer 408 and close: a client that stalled can still read why."""
        self.close_connection = 1
        try:
            self.wfile.write(raw_problem(RequestTimeout(detail)))
        except OSError:
            pass

    def get_environ(self) -> dict:
        environ = super().get_environ()
        self._parsed = True  # the headers are in; the body is EdgeApp's, the answer the app's
        self.wfile = self.wfile._wfile if isinstance(self.wfile, _ProblemWriter) else self.wfile
        environ["ponte.deadline"] = self._deadline
        environ["ponte.started"] = self._started
        environ["ponte.close_connection"] = self._close_after_answer
        return environ

    def _close_after_answer(self) -> None:
        self.close_connection = 1
        self._linger = True

    def finish(self) -> None:
        """After refusing a body mid-stream, stop sending and drain what the client still sends
        for a moment before closing, so the client reads the answer instead of a reset."""
        if getattr(self, "_linger", False):
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
                drained = 0
                with eventlet.Timeout(LINGER_SECONDS, False):
                    while drained < LINGER_BYTES:
                        data = self.connection.recv(READ_SIZE)
                        if not data:
                            break
                        drained += len(data)
            except OSError:
                pass
        super().finish()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's errors while parsing (bad version, too many headers)."""
        error = HeadersTooLarge(message or "") if code == 431 else PonteError(message or "")
        if code != 431:
            error.status, error.title = code, message or "Bad request"
        self.close_connection = 1
        self.wfile.write(raw_problem(error))


def read_body(environ: dict) -> None:
    """Read the request body within its limits into a spool that replaces ``wsgi.input``;
    raises a :class:`PonteError` (411, 413, 400) when it cannot be taken."""
    config = settings()
    coding = environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower()
    if coding and coding != "chunked":
        raise LengthRequired("Send the body with Content-Length or Transfer-Encoding: chunked.")
    chunked = coding == "chunked"
    multipart = environ.get("CONTENT_TYPE", "").lower().startswith("multipart/")
    limit = MAX_UPLOAD_BYTES if multipart else config.max_json_bytes
    length = 0 if chunked else int(environ.get("CONTENT_LENGTH") or 0)
    too_large = PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    if not chunked and length == 0:
        return
    if length > limit:
        raise too_large
    _allow_for_size(environ, length, config)
    stream = environ["wsgi.input"]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    total = 0
    try:
        while chunked or total < length:
            chunk = stream.read(READ_SIZE if chunked else min(READ_SIZE, length - total))
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise too_large
            spool.write(chunk)
    except ValueError:  # eventlet's ChunkReadError
        spool.close()
        raise BadRequest("The chunked body is malformed.") from None
    except BaseException:
        spool.close()
        raise
    if total < length:
        spool.close()
        raise BadRequest("The body ended before its Content-Length.")
    spool.seek(0)
    environ["wsgi.input"] = spool
    environ["CONTENT_LENGTH"] = str(total)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.setdefault("eventlet.posthooks", []).append((lambda _env: spool.close(), (), {}))


def _allow_for_size(environ: dict, length: int, config: Any) -> None:
    """A large announced body gets ``PONTE_HTTP_MIN_BODY_RATE`` bytes a second on top of the
    request deadline: a 10 MiB upload over a slow clinic uplink still gets through."""
    deadline = environ.get("ponte.deadline")
    extra = length / config.http_min_body_rate
    if deadline is None or extra < 1:
        return
    deadline.cancel()
    left = config.http_request_timeout - (time.monotonic() - environ["ponte.started"])
    environ["ponte.deadline"] = eventlet.Timeout(max(left, 0.001) + extra, Deadline())


class EdgeApp(WsgiApp):
    """nameko's WSGI application, taking the body before a worker is spawned, answering
    unmatched paths and methods as problem documents, and hardening every answer."""

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        close = environ.get("ponte.close_connection", lambda: None)
        response = None
        try:
            read_body(environ)
        except PonteError as exc:
            close()  # the rest of the body is not read: the connection cannot carry another
            response = problem_response(exc)
        except (TimeoutError, Deadline):
            close()
            response = problem_response(RequestTimeout("The request body was not sent in time."))
        finally:
            if environ.get("ponte.deadline") is not None:
                environ["ponte.deadline"].cancel()
        if response is None:
            request = Request(environ, shallow=True)
            try:
                provider, values = self.url_map.bind_to_environ(environ).match()
                request.path_values = values
                response = provider.handle_request(request)
            except HTTPException as exc:
                response = problem_response(exc)
        response = localize(response, environ.get("HTTP_ACCEPT_LANGUAGE"))
        return harden(response)(environ, start_response)


class EdgeServer(WebServer):
    def start(self) -> None:
        """nameko's, with the listening socket's backlog raised from eventlet's 50 to the
        system's maximum: a burst of new connections (200 clients at once) waits in the kernel
        for the accept loop, instead of having its handshakes dropped and retried seconds
        later, or timing out on a busy host."""
        super().start()
        self._sock.listen(socket.SOMAXCONN)  # Linux takes a new backlog on a listening socket

    def get_wsgi_app(self) -> EdgeApp:
        return EdgeApp(self)

    def get_wsgi_server(self, sock, wsgi_app, protocol=Protocol, debug=False):  # noqa: ANN001, ANN201
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.socket_timeout = settings().http_idle_timeout
        return server


class EdgeHttp(HttpRequestHandler):
    server = EdgeServer()


http = EdgeHttp.decorator
