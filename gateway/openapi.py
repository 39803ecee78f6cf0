"""The OpenAPI 3 document, generated from the route table and its marshmallow schemas, and a
self-contained HTML page rendering it (no CDN, so it works offline)."""
from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

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


def render_html(spec: dict) -> str:
    rows = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            detail = html.escape(json.dumps(
                {k: v for k, v in operation.items() if k in ("parameters", "requestBody",
                                                             "responses")}, indent=2))
            rows.append(
                f"<details><summary><code class='m {method}'>{method.upper()}</code> "
                f"<code>{html.escape(path)}</code> — {html.escape(operation.get('summary', ''))}"
                f" <small>{html.escape(operation.get('description', ''))}</small></summary>"
                f"<pre>{detail}</pre></details>")
    schemas = html.escape(json.dumps(spec.get("components", {}).get("schemas", {}), indent=2))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ponte API</title><style>
body{{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}}
summary{{cursor:pointer;padding:.2rem 0}} pre{{background:#f4f4f4;padding:.8rem;overflow:auto}}
.m{{display:inline-block;width:4.5rem;font-weight:bold}} .get{{color:#1a7f37}} .post{{color:#0550ae}}
.delete{{color:#cf222e}} .patch,.put{{color:#9a6700}}</style></head><body>
<h1>Ponte API</h1><p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>.
Send <code>Authorization: Bearer &lt;access_token&gt;</code> unless an endpoint is public.
Errors are <code>application/problem+json</code>.</p>
{''.join(rows)}
<h2>Schemas</h2><pre>{schemas}</pre></body></html>"""
