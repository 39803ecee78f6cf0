"""The page at ``/api/docs`` that renders the OpenAPI document: Swagger UI, served from the static
files of the pinned ``swagger-ui-bundle`` package by this gateway (no CDN, so it works offline)."""
from __future__ import annotations

import functools
from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

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
