"""The OpenAPI 3 document, generated from the route table and its marshmallow schemas, and the
page at ``/api/docs`` that renders it: Swagger UI, served from the static files of the pinned
``swagger-ui-bundle`` package by this gateway (no CDN, so it works offline)."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from swagger_ui_bundle import swagger_ui_path

from gateway.api import Api

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                   "status": {"type": "integer"}, "detail": {"type": "string"},
                   "errors": {"type": "object", "additionalProperties": {
                       "type": "array", "items": {"type": "string"}}}},
}


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


@functools.cache
def document(api: Api) -> dict:
    """Built once per route table (routes do not change while the process runs)."""
    spec = APISpec(title="Ponte API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "Back end of a care-network portal. See README.md."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    paths: dict[str, dict] = {}
    for route in api.routes:
        operation: dict[str, Any] = {
            "summary": route.summary or route.endpoint, "tags": [route.tag or "api"],
            "operationId": re.sub(r"\W+", "_", f"{route.method}_{route.path}").strip("_"),
            "responses": {
                str(route.status): {"description": "Success"} if route.response is None else {
                    "description": "Success",
                    "content": {"application/json": {"schema": route.response}}},
                "default": {"description": "Problem",
                            "content": {"application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
        }
        if route.status == 204:
            operation["responses"]["204"] = {"description": "No content"}
        if not route.public:
            operation["security"] = [{"bearer": []}]
            who = [*route.kinds, *route.roles]
            if who:
                operation["description"] = "Who: " + ", ".join(who)
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in re.findall(r"\{(\w+)\}", route.path)]
        if route.query is not None:
            parameters.append({"in": "query", "schema": route.query})
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": route.body}}}
        elif route.raw_body:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"type": "object", "properties": {
                    "file": {"type": "string", "format": "binary"}}}}}}
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


STATIC = "/api/docs/static"
# What the page needs of the bundle; nothing else of the package is served.
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
          "swagger-ui-standalone-preset.js": "text/javascript",
          "favicon-32x32.png": "image/png", "favicon-16x16.png": "image/png"}
# Starts the viewer on this gateway's document; a file, not an inline script, so the page's
# Content-Security-Policy can forbid inline scripts.
INITIALIZER = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout", validatorUrl: null, tryItOutEnabled: false
  });
};
"""
# Scripts, styles and the document from this origin only; Swagger UI sets inline styles and
# draws icons as data: images.
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; form-action 'none'")

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Ponte API</title>
  <link rel="stylesheet" href="{STATIC}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{STATIC}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <noscript>This page needs JavaScript. The document itself is
    <a href="/api/openapi.json">/api/openapi.json</a>; send
    <code>Authorization: Bearer &lt;access_token&gt;</code> unless an endpoint is public;
    errors are <code>application/problem+json</code>.</noscript>
  <div id="swagger-ui"></div>
  <script src="{STATIC}/swagger-ui-bundle.js"></script>
  <script src="{STATIC}/swagger-ui-standalone-preset.js"></script>
  <script src="{STATIC}/ponte-docs.js"></script>
</body>
</html>
"""


def page() -> str:
    return PAGE


def asset(name: str) -> tuple[bytes, str] | None:
    """A file of the viewer as (content, media type), or None for any other name."""
    if name == "ponte-docs.js":
        return INITIALIZER.encode(), "text/javascript"
    if name not in ASSETS:
        return None
    return _read(name), ASSETS[name]


@functools.cache
def _read(name: str) -> bytes:
    return (Path(str(swagger_ui_path)) / name).read_bytes()
