"""The portal's way to the JSON API (PORTAL.md principle 1): every read and write is a request
through the gateway's own route table, with the same validation, permission checks, service
call and problem document as any client of the API gets. Never a service directly."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.api import Call
from ponte import logs


@dataclass
class Answer:
    """The API's answer: status, the JSON body (``None`` when empty or not JSON), headers."""

    status: int
    data: Any
    headers: Headers = field(default_factory=Headers)
    raw: bytes = b""  # the body as sent (a downloaded file)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def errors(self) -> dict[str, list[str]]:
        """A problem document's field errors; its detail under ``_body`` when it names none."""
        if not isinstance(self.data, dict):
            return {}
        return self.data.get("errors") or ({"_body": [str(self.data["detail"])]}
                                           if self.data.get("detail") else {})


def forward(call: Call, method: str, path: str, body: dict | None = None, *,
            query: dict[str, Any] | None = None, token: str | None = None,
            locale: str | None = None, idempotency_key: str | None = None,
            files: dict[str, Any] | None = None) -> Answer:
    """Send a request through the gateway's route table as ``token``'s owner (anonymous when
    ``None``), in ``locale``'s language; problem documents come back translated. An
    ``idempotency_key`` goes as ``Idempotency-Key`` (routes marked idempotent answer a repeat
    with the first answer). ``files`` (``{"file": (stream, filename, content_type)}``) sends
    a multipart body instead of JSON (``POST /api/v1/uploads``)."""
    from gateway.problems import localize

    headers = {"Accept": "application/json", "X-Correlation-Id": logs.correlation_id() or ""}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if locale:
        headers["Accept-Language"] = locale
    if idempotency_key:  # a form sent twice (a double click, a reload) acts once
        headers["Idempotency-Key"] = idempotency_key
    if query:
        path = f"{path}?{urlencode({k: v for k, v in query.items() if v is not None}, True)}"
    builder = EnvironBuilder(path=path, method=method, headers=headers,
                             json=body if files is None else None, data=files)
    try:
        request = Request(builder.get_environ())
    finally:
        builder.close()
    gateway = call.gateway
    answer = gateway.api.dispatch(request, gateway, call.services, gateway.auth)
    answer = localize(answer, locale)
    answer.direct_passthrough = False  # a file streamed by the API is read here, whole
    try:
        raw = answer.get_data()
    finally:
        answer.close()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return Answer(answer.status_code, data, Headers(answer.headers), raw)
