"""Operational endpoints: liveness, readiness, metrics, the OpenAPI document and its docs page."""
from __future__ import annotations

import json

from kombu import Connection
from nameko import config as nameko_config
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from gateway.api import Api, Call
from ponte.config import SERVICES
from ponte.errors import NotFound, PonteError

api = Api()


@api.route("GET", "/healthz", public=True, tag="operations", summary="The process is running")
def healthz(call: Call) -> dict:
    return {"status": "ok"}


def _broker_ok() -> bool:
    try:
        with Connection(nameko_config["AMQP_URI"], connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@api.route("GET", "/readyz", public=True, tag="operations",
           summary="200 when the broker and all five services answer, else 503 naming what is down")
def readyz(call: Call) -> Response:
    checks = {"broker": "ok" if _broker_ok() else "down"}
    pending = {}
    for service in SERVICES:
        try:
            pending[service] = call.services.start(service, "ping")
        except PonteError:
            checks[service] = "down"
    for service, reply in pending.items():
        try:
            reply.result(timeout=2)
            checks[service] = "ok"
        except Exception:
            checks[service] = "down"
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ok" if not down else "unavailable", "checks": checks}
    if down:
        body["down"] = down
        return Response(json.dumps(body), status=503, mimetype="application/json",
                        headers={"Retry-After": "5"})
    return Response(json.dumps(body), mimetype="application/json")


@api.route("GET", "/metrics", public=True, tag="operations", summary="Prometheus metrics")
def metrics(call: Call) -> Response:
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Content-Type": CONTENT_TYPE_LATEST})


@api.route("GET", "/api/openapi.json", public=True, tag="operations",
           summary="OpenAPI 3 document of every endpoint")
def openapi_document(call: Call) -> dict:
    from gateway.openapi import document
    return document(call.gateway.api)


@api.route("GET", "/api/docs", public=True, tag="operations",
           summary="API documentation: Swagger UI on /api/openapi.json (works offline)")
def docs(call: Call) -> Response:
    from gateway.apidocs import DOCS_POLICY, page
    return Response(page(), mimetype="text/html", headers={
        "Content-Security-Policy": DOCS_POLICY, "X-Frame-Options": "DENY"})


@api.route("GET", "/api/docs/static/{name}", public=True, tag="operations",
           summary="The files of the documentation page (from the swagger-ui-bundle package)")
def docs_asset(call: Call) -> Response:
    from gateway.apidocs import asset
    found = asset(call.params["name"])
    if found is None:
        raise NotFound("No such file.")
    content, mimetype = found
    return Response(content, mimetype=mimetype,
                    headers={"Cache-Control": "public, max-age=86400"})
