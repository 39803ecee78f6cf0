"""The OpenAPI 3 document, generated from the route table and its marshmallow schemas (the page
that renders it is :mod:`gateway.apidocs`)."""
from __future__ import annotations

import functools
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from gateway.api import Api, Route

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "errors": {"type": "object", "additionalProperties": {
                       "type": "array", "items": {"type": "string"}}}},
}
PROBLEM_TITLES = {400: "Malformed request", 401: "No or bad token",
                  403: "Authenticated but not allowed",
                  404: "Unknown, or belonging to someone the caller may not see",
                  409: "Conflict with the current state, or a duplicate", 413: "Too large",
                  414: "Request line too long",
                  415: "Unsupported media type", 422: "Invalid field values",
                  429: "Too many attempts (see Retry-After)",
                  503: "A service behind the gateway is unavailable (see Retry-After)"}
UUID = {"type": "string", "format": "uuid"}
PATH_PARAMETERS = {"id": UUID, "provider_id": UUID, "image_id": UUID, "item_id": UUID,
                   "token": {"type": "string", "minLength": 1}}
UPLOAD_SCHEMA = {"type": "object", "required": ["id", "filename", "content_type", "size"],
                 "properties": {"id": UUID, "filename": {"type": "string"},
                                "content_type": {"type": "string"},
                                "size": {"type": "integer"}, "sha256": {"type": "string"}}}
ANY_FILE = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
HTML = {"text/html": {"schema": {"type": "string"}}}
TEXT = {"text/plain": {"schema": {"type": "string"}}}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}
READINESS = {"application/json": {"schema": {
    "type": "object", "required": ["status", "checks"],
    "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]},
                   "checks": {"type": "object",
                              "additionalProperties": {"type": "string", "enum": ["ok", "down"]}},
                   "down": {"type": "array", "items": {"type": "string"}}}}}}
FORM_FIELDS = ("token", "provider_type", "sex", "email", "secondary_email", "password",
               "password_confirmation", "accepted_terms")
# Answers of the routes that do not answer JSON through a schema: endpoint → {status: content}.
OWN_ANSWERS: dict[str, dict[str, dict | None]] = {
    "GET /healthz": {"200": {"application/json": {"schema": {
        "type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}}}}}},
    "GET /readyz": {"200": READINESS, "503": READINESS},
    "GET /metrics": {"200": TEXT},
    "GET /api/openapi.json": {"200": JSON_OBJECT},
    "GET /api/docs": {"200": HTML},
    "POST /api/v1/uploads": {"201": {"application/json": {"schema": UPLOAD_SCHEMA}}},
    "GET /api/v1/attachments/{id}": {"200": ANY_FILE, "302": None},
    "GET /api/v1/providers/{id}/images/{image_id}": {"200": ANY_FILE, "302": None,
                                                      "404": TEXT},
    "GET /api/docs/static/{name}": {"200": {
        media: {"schema": {"type": "string"}}
        for media in ("text/css", "text/javascript", "image/png")}},
    "GET /api/v1/notifications/stream": {"200": {"text/event-stream": {
        "schema": {"type": "string"}}}},
    "GET /assets/{name}": {"200": {"text/css": {"schema": {"type": "string"}},
                                   "text/javascript": {"schema": {"type": "string"}}},
                           "404": TEXT},
}
# Refusals a route answers beyond what problem_statuses derives from its shape.
OWN_REFUSALS: dict[str, set[int]] = {
    "POST /api/v1/sessions": {401}, "POST /api/v1/sessions/refresh": {401},
    "GET /api/v1/notifications/stream": {401},
    "GET /api/docs/static/{name}": {404},
    "GET /api/v1/providers": {403},  # a status other than active is for operators only
}
# How a caller proves who it is (API.md): the access token, and for the stream, which a
# browser's EventSource opens without headers, a ticket in the query.
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "ticket": {"type": "apiKey", "in": "query", "name": "ticket",
               "description": "A stream ticket from POST /api/v1/notifications/stream-tickets: "
                              "single use, valid 30 s"},
}
# Routes open in the route table because their handler checks the credentials itself (it takes
# more than the Authorization header): endpoint → the OpenAPI security they require.
OWN_SECURITY: dict[str, list[dict[str, list]]] = {
    "GET /api/v1/notifications/stream": [{"bearer": []}, {"ticket": []}],
}
PAGE_STATUSES = ("200", "201", "303", "400", "403", "404", "409", "413", "422", "429", "500",
                 "503")

# OpenAPI links: where an answer names an object, the operations that act on it, so a client
# (and schemathesis' stateful phase) can chain create → read → act. Each row: the answering
# endpoint, the path whose routes (it and those below it) take the object, and where each
# path parameter comes from in the answer (a JSON pointer); a parameter the answering route
# has in its own path is passed along as it was.
LINKS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("GET /api/v1/me", "/api/v1/providers/{id}", {"id": "/provider/id"}),
    ("GET /api/v1/me", "/api/v1/providers/{provider_id}", {"provider_id": "/provider/id"}),
    ("GET /api/v1/me", "/api/v1/providers/{provider_id}",
     {"provider_id": "/acting_for/0/provider_id"}),
    ("GET /api/v1/me", "/api/v1/providers/{id}", {"id": "/acting_for/0/provider_id"}),
    ("POST /api/v1/providers", "/api/v1/providers/{id}", {"id": "/id"}),
    ("POST /api/v1/providers", "/api/v1/providers/{provider_id}", {"provider_id": "/id"}),
    ("POST /api/v1/providers/{id}/images", "/api/v1/providers/{id}/images/{image_id}",
     {"image_id": "/id"}),
    ("GET /api/v1/providers/{id}", "/api/v1/providers/{id}/images/{image_id}",
     {"image_id": "/profile/images/0/id"}),
    ("PATCH /api/v1/providers/{id}/profile", "/api/v1/providers/{id}/images/{image_id}",
     {"image_id": "/profile/images/0/id"}),
    ("POST /api/v1/providers/{provider_id}/invitations", "/api/v1/invitations/{id}",
     {"id": "/id"}),
    ("GET /api/v1/providers/{provider_id}/invitations", "/api/v1/invitations/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/me/invitations", "/api/v1/invitations/{id}", {"id": "/items/0/id"}),
    ("POST /api/v1/invitations/{id}/accept", "/api/v1/relationships/{id}", {"id": "/id"}),
    ("GET /api/v1/providers/{provider_id}/relationships", "/api/v1/relationships/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/me/relationships", "/api/v1/relationships/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/me/relationships", "/api/v1/providers/{provider_id}",
     {"provider_id": "/items/0/provider/id"}),
    ("POST /api/v1/uploads", "/api/v1/attachments/{id}", {"id": "/id"}),
    ("POST /api/v1/institutions", "/api/v1/institutions/{id}", {"id": "/id"}),
    ("GET /api/v1/institutions", "/api/v1/institutions/{id}", {"id": "/items/0/id"}),
    ("POST /api/v1/institutions/{id}/services", "/api/v1/services/{id}", {"id": "/id"}),
    ("GET /api/v1/services", "/api/v1/services/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/services", "/api/v1/services/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/services", "/api/v1/institutions/{id}", {"id": "/items/0/institution/id"}),
    ("POST /api/v1/institutions/{id}/attendant-requests", "/api/v1/attendant-requests/{id}",
     {"id": "/id"}),
    ("GET /api/v1/institutions/{id}/attendant-requests", "/api/v1/attendant-requests/{id}",
     {"id": "/items/0/id"}),
    ("POST /api/v1/services/{id}/requests", "/api/v1/service-requests/{id}", {"id": "/id"}),
    # the portal's authorization screens take the ids the API's answers name
    ("POST /api/v1/authorization-requests", "/authorizations/{id}",
     {"id": "/id", "item_id": "/items/0/id"}),
    ("POST /api/v1/inquiries", "/inquiries/{id}", {"id": "/id"}),
    ("GET /api/v1/me/service-requests", "/api/v1/service-requests/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/service-requests", "/api/v1/service-requests/{id}",
     {"id": "/items/0/id"}),
    ("POST /api/v1/service-requests/{id}/rating", "/api/v1/ratings/{id}", {"id": "/id"}),
    ("GET /api/v1/institutions/{id}/ratings", "/api/v1/ratings/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/services/{id}/ratings", "/api/v1/ratings/{id}", {"id": "/items/0/id"}),
    ("POST /api/v1/providers/{id}/appointments", "/api/v1/appointments/{id}", {"id": "/id"}),
    ("POST /api/v1/institutions/{id}/appointments", "/api/v1/appointments/{id}", {"id": "/id"}),
    ("GET /api/v1/me/appointments", "/api/v1/appointments/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/providers/{id}/appointments", "/api/v1/appointments/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/appointments", "/api/v1/appointments/{id}",
     {"id": "/items/0/id"}),
    ("POST /api/v1/procedures", "/api/v1/procedures/{code}", {"code": "/code"}),
    ("GET /api/v1/procedures", "/api/v1/procedures/{code}", {"code": "/items/0/code"}),
    ("POST /api/v1/authorization-requests", "/api/v1/authorization-requests/{id}",
     {"id": "/id"}),
    ("POST /api/v1/authorization-requests",
     "/api/v1/authorization-requests/{id}/items/{item_id}",
     {"id": "/id", "item_id": "/items/0/id"}),
    ("GET /api/v1/authorization-requests", "/api/v1/authorization-requests/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/audit-queue", "/api/v1/authorization-requests/{id}", {"id": "/items/0/id"}),
    ("POST /api/v1/authorization-requests/{id}/items",
     "/api/v1/authorization-requests/{id}/items/{item_id}", {"item_id": "/id"}),
    ("GET /api/v1/authorization-requests/{id}",
     "/api/v1/authorization-requests/{id}/items/{item_id}", {"item_id": "/items/0/id"}),
    ("GET /api/v1/authorization-requests/{id}", "/api/v1/authorization-codes/{code}",
     {"code": "/authorization/code"}),
    ("POST /api/v1/authorization-requests/{id}/decision", "/api/v1/authorization-codes/{code}",
     {"code": "/authorization/code"}),
    ("POST /api/v1/inquiries", "/api/v1/inquiries/{id}", {"id": "/id"}),
    ("GET /api/v1/notifications", "/api/v1/notifications/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/notifications/emails", "/api/v1/notifications/emails/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/inquiries", "/api/v1/inquiries/{id}", {"id": "/items/0/id"}),
    # the portal's screens of one thing (gateway/web), reached from the API answers naming it
    ("GET /api/v1/services", "/services/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/me/service-requests", "/my-requests/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/me/appointments", "/appointments/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/providers", "/providers/{id}/book", {"id": "/items/0/id"}),
    ("POST /api/v1/uploads", "/attachments/{id}", {"id": "/id"}),
    # the portal's screens that act on an object the API names (gateway/web)
    ("GET /api/v1/me/invitations", "/invitations/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/providers/{provider_id}/relationships", "/relationships/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/providers", "/providers/{id}", {"id": "/items/0/id"}),
    ("POST /api/v1/uploads", "/documents/{id}", {"id": "/id"}),
    ("GET /api/v1/institutions", "/admin/institutions/{id}", {"id": "/items/0/id"}),
    # the institution's screens (gateway/web), reached from the API answers naming their object
    ("GET /api/v1/institutions", "/institution/{id}", {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/services", "/institution/services/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/attendant-requests", "/institution/attendant-requests/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/service-requests", "/institution/requests/{id}",
     {"id": "/items/0/id"}),
    ("GET /api/v1/institutions/{id}/ratings", "/institution/ratings/{id}", {"id": "/items/0/id"}),
)


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


def operation_id(route: Route) -> str:
    return re.sub(r"\W+", "_", f"{route.method}_{route.path}").strip("_")


def path_parameters(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def problem_statuses(route: Route) -> list[int]:
    """The refusals a route may answer, from what it takes and who may call it (API.md
    conventions): every status code it can answer is declared, so an undeclared one is a bug."""
    statuses = set(OWN_REFUSALS.get(route.endpoint, ()))
    if route.path.startswith("/api/v1/"):
        statuses |= {404, 414, 429, 503}  # 414: a request line longer than the server reads
    if not route.public:
        statuses |= {401, 403}
    if route.body is not None or route.raw_body:
        statuses |= {400, 413, 415, 422}
    if route.query is not None or path_parameters(route.path):
        statuses.add(422)
    if route.method != "GET" and route.path.startswith("/api/v1/"):
        statuses.add(409)
    if route.path.startswith("/api/v1/") and route.method == "GET":
        statuses.add(400)  # a body sent where none is taken, a query that is not text
    return sorted(statuses)


def _responses(route: Route) -> dict[str, Any]:
    own = OWN_ANSWERS.get(route.endpoint)
    if route.tag == "pages":
        return {status: {"description": "HTML page", "content": HTML}
                for status in PAGE_STATUSES}
    success: dict[str, Any] = {"description": "No content" if route.status == 204 else "Success"}
    if route.response is not None:
        success["content"] = {"application/json": {"schema": route.response}}
        if route.csv is not None:
            success["content"]["text/csv"] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {str(route.status): success}
    for status, content in (own or {}).items():
        responses[status] = {"description": "Redirect to a short-lived signed URL"
                             if status == "302" else "Answer"}
        if content is not None:
            responses[status]["content"] = content
    for status in problem_statuses(route):
        responses.setdefault(str(status), {
            "description": PROBLEM_TITLES[status],
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}})
    return responses


def _links(api: Api) -> dict[str, dict[str, dict]]:
    """endpoint → OpenAPI links of its success answer (see :data:`LINKS`)."""
    by_endpoint = {route.endpoint: route for route in api.routes}
    found: dict[str, dict[str, dict]] = {}
    for source_endpoint, target_path, pointers in LINKS:
        source = by_endpoint.get(source_endpoint)
        if source is None:
            continue
        own = set(path_parameters(source.path))
        for target in api.routes:
            if target is source or not (target.path == target_path
                                        or target.path.startswith(target_path + "/")):
                continue
            parameters = {}
            for name in path_parameters(target.path):
                if name in pointers:
                    parameters[name] = f"$response.body#{pointers[name]}"
                elif name in own:
                    parameters[name] = f"$request.path.{name}"
            if len(parameters) < len(path_parameters(target.path)):
                continue
            name = operation_id(target)
            if name in found.get(source_endpoint, {}):
                name += "_" + "_".join(p.strip("/").replace("/", "_") for p in pointers.values())
            found.setdefault(source_endpoint, {})[name] = {
                "operationId": operation_id(target), "parameters": parameters}
    return found


def _ecma_pattern(pattern: str) -> str:
    r"""marshmallow's Regexp matches at the start with Python's syntax; a JSON Schema pattern
    searches anywhere with ECMA 262's. ``(?s)`` becomes ``[\s\S]``, ``\Z`` becomes ``$``."""
    if pattern.startswith("(?s)"):
        pattern = re.sub(r"(?<!\\)\.", r"[\\s\\S]", pattern[4:])
    pattern = pattern.replace("\\Z", "$")
    return pattern if pattern.startswith("^") else "^" + pattern


def _ecma_patterns(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                node[key] = _ecma_pattern(value)
            else:
                _ecma_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _ecma_patterns(value)


def _form_body() -> dict:
    return {"required": False, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {name: {"type": "string"} for name in FORM_FIELDS}}}}}


def _security(route: Route) -> list[dict[str, list]]:
    if route.endpoint in OWN_SECURITY:
        return OWN_SECURITY[route.endpoint]
    return [] if route.public else [{"bearer": []}]


@functools.cache
def document(api: Api) -> dict:
    """Built once per route table (routes do not change while the process runs)."""
    spec = APISpec(title="Ponte API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "Back end of a care-network portal. See README.md."})
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    links = _links(api)
    paths: dict[str, dict] = {}
    for route in api.routes:
        operation: dict[str, Any] = {
            "summary": route.summary or route.endpoint, "tags": [route.tag or "api"],
            "operationId": operation_id(route), "responses": _responses(route)}
        if route.endpoint in links:
            operation["responses"][str(route.status)]["links"] = links[route.endpoint]
        security = _security(route)
        if security:
            operation["security"] = security
        if not route.public:
            who = [*route.kinds, *route.roles]
            if who:
                operation["description"] = "Who: " + ", ".join(who)
        parameters: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True,
             "schema": dict(PATH_PARAMETERS.get(name, {"type": "string", "minLength": 1}))}
            for name in path_parameters(route.path)]
        if route.query is not None:
            # a credential in the query is described by its security scheme, not again here
            carried = tuple(SECURITY_SCHEMES[name]["name"] for requirement in security
                            for name in requirement if SECURITY_SCHEMES[name].get("in") == "query")
            parameters.append({"in": "query",
                               "schema": route.query(exclude=carried) if carried else route.query})
        if route.tag == "pages" and route.method == "GET" and route.path != "/terms":
            parameters.append({"name": "token", "in": "query", "required": False,
                               "schema": {"type": "string"}})
        if route.idempotent:
            parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                               "schema": {"type": "string",
                                          "pattern": "^[\\x21-\\x7e]{1,255}$"},
                               "description": "A retry with the same key and body returns "
                                              "the first answer; another body is 409"})
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": route.body}}}
        elif route.raw_body:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"}}}}}}
        elif route.tag == "pages" and route.method == "POST":
            operation["requestBody"] = _form_body()
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    whole = spec.to_dict()
    _ecma_patterns(whole)
    return whole
