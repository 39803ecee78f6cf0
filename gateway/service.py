"""The gateway as a nameko service: one HTTP entrypoint hands every request to the route table."""
from __future__ import annotations

import logging
import re
import uuid

import eventlet
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Request, Response

from gateway import (
    attendance,
    authorizations,
    identity,
    notifications,
    operations,
    relationships,
    uploads,
    web,
)
from gateway.api import combine
from gateway.auth import EdgeAuth
from gateway.broadcasts import in_place
from gateway.limits import Limits
from gateway.notifications.streams import StreamHub
from gateway.permissions import Permissions
from gateway.server import http
from ponte import logs
from ponte.config import settings
from ponte.rpc import Services
from ponte.service import on_start

log = logging.getLogger(__name__)
METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
API = combine(operations.api, identity.api, relationships.api, uploads.api, web.api,
              attendance.api, authorizations.api, notifications.api)
SAFE_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class CorrelationId(DependencyProvider):
    """Takes ``X-Correlation-Id`` from the request for logs and every RPC when it is short and
    plain (letters, digits, ``.``, ``_``, ``:``, ``-``; at most 64), else makes one: a header
    value must never make the answer's own headers invalid."""

    def worker_setup(self, worker_ctx) -> None:  # noqa: ANN001
        request = worker_ctx.args[0] if worker_ctx.args else None
        cid = None
        if isinstance(request, Request):
            given = request.headers.get("X-Correlation-Id", "")
            cid = given if SAFE_CORRELATION_ID.fullmatch(given) else None
        cid = cid or worker_ctx.context_data.get("correlation_id") or uuid.uuid4().hex
        worker_ctx.context_data["correlation_id"] = cid
        logs.set_correlation_id(cid)

    def worker_teardown(self, worker_ctx) -> None:  # noqa: ANN001
        logs.set_correlation_id(None)


class GatewayService:
    name = "gateway"
    api = API
    correlation = CorrelationId()
    services = Services()
    auth = EdgeAuth()
    permissions = Permissions()
    limits = Limits()
    streams = StreamHub()
    client_environ: dict | None = None  # the request being answered (set per worker)

    @http(METHODS, "/<path:path>")
    @http(METHODS, "/")
    def handle(self, request: Request, path: str = "") -> Response:
        self.client_environ = request.environ  # whose limits a page's API calls count against
        response = self.api.dispatch(request, self, self.services, self.auth)
        response.headers["X-Correlation-Id"] = logs.correlation_id() or ""
        return response

    @in_place("identity", "sessions_revoked", uses=("auth", "streams"))
    def on_sessions_revoked(self, event: dict) -> None:
        self.auth.revocations.revoke(event["data"]["session_ids"])
        self.streams.revoke(event["data"]["session_ids"])

    @in_place("relationships", "invitation_accepted", uses=("permissions",))
    @in_place("relationships", "relationship_roles_changed", uses=("permissions",))
    @in_place("relationships", "relationship_ended", uses=("permissions",))
    @in_place("relationships", "relationship_expired", uses=("permissions",))
    def on_relationship_changed(self, event: dict) -> None:
        """A secretary's grants changed: her next request asks the relationships service."""
        self.permissions.forget(event["data"]["secretary_id"])

    @in_place("notifications", "notifications_created", uses=("streams",))
    def on_notifications_created(self, event: dict) -> None:
        """New inbox items: pushed to their accounts' streams open in this process."""
        for item in event["data"]["items"]:
            self.streams.publish(item["account_id"], item["notification"])

    @on_start
    def load_revocations(self) -> None:
        """Catch up with revocations that happened while this gateway was not listening."""
        for _attempt in range(120):
            try:
                ids = self.services("identity", "recent_revocations",
                                    settings().access_token_ttl + 60)
            except Exception as exc:  # identity not up yet, or an older version of it
                log.info("revocations not loaded yet: %s", exc)
                eventlet.sleep(1)
                continue
            self.auth.revocations.revoke(ids)
            self.auth.synced = True
            return
        log.warning("identity never answered; revocations older than this gateway are honoured "
                    "only by access-token expiry")
