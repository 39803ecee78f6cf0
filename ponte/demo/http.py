"""The demo's way in: the public HTTP API of a running gateway, and the e-mails it writes.

Standard library only (``urllib``), so ``ponte demo`` needs nothing the product does not.
"""
from __future__ import annotations

import email
import email.policy
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

API = "/api/v1"


class ApiError(RuntimeError):
    """An answer the story did not expect: what was asked and what came back."""


class Api:
    """JSON calls to the gateway, as whoever signed in (one access token per login)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens: dict[str, str] = {}

    def sign_in(self, login: str, password: str) -> str:
        """The access token of ``login``, signing in once per run."""
        if login not in self.tokens:
            session = self.call("POST", "/sessions", body={"login": login, "password": password})
            self.tokens[login] = session["access_token"]
        return self.tokens[login]

    def call(self, method: str, path: str, body: dict | None = None, as_: str | None = None,
             query: dict[str, str] | None = None, expect: tuple[int, ...] = (200, 201, 204),
             ) -> Any:
        """``method path`` with a JSON body, as the login ``as_`` signed in; the JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        return self._send(method, path, data, headers, as_, query, expect)

    def upload(self, path: str, filename: str, content: bytes, content_type: str,
               as_: str) -> Any:
        """A ``multipart/form-data`` upload of one file in the field ``file``."""
        boundary = uuid.uuid4().hex
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode() \
            + content + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._send("POST", path, data, headers, as_, None, (201,))

    def ready(self) -> bool:
        try:
            probe = self.base_url + "/readyz"  # http(s) only: the gateway's own address
            with urllib.request.urlopen(probe, timeout=5) as answer:  # nosec B310 # see above
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _send(self, method: str, path: str, data: bytes | None, headers: dict[str, str],
              as_: str | None, query: dict[str, str] | None, expect: tuple[int, ...]) -> Any:
        url = self.base_url + API + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        if as_ is not None:
            headers = {**headers, "Authorization": f"Bearer {self.tokens[as_]}"}
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # nosec B310 # gateway
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        if status not in expect:
            raise ApiError(f"{method} {path} answered {status}: {text[:500]}")
        return json.loads(text) if text else None


class Outbox:
    """The ``.eml`` files the notifications service writes in ``{data_dir}/outbox/``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def token(self, to: str, timeout: float = 30.0) -> str:
        """The token of the newest e-mail to ``to`` that carries one (``Token: <token>``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime,
                               reverse=True):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to.lower() not in str(message["To"]).lower():
                    continue
                found = re.search(r"^Token: (\S+)$", _text(message), re.M)
                if found:
                    return found.group(1)
            time.sleep(0.2)
        raise ApiError(f"no e-mail with a token reached {to} within {timeout:.0f}s")


def _text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""
