"""Operational endpoints and the error contract, on both runtimes."""
from __future__ import annotations

import re

from tests.stack import register_citizen

API_MD_IDENTITY_AND_OPERATIONS = [
    ("post", "/api/v1/sessions"), ("post", "/api/v1/sessions/refresh"),
    ("delete", "/api/v1/sessions/current"), ("get", "/api/v1/me"), ("patch", "/api/v1/me"),
    ("post", "/api/v1/me/email"), ("post", "/api/v1/me/password"), ("delete", "/api/v1/me"),
    ("post", "/api/v1/secretaries"), ("get", "/api/v1/secretaries"),
    ("post", "/api/v1/citizens"), ("post", "/api/v1/staff"), ("post", "/api/v1/providers"),
    ("get", "/api/v1/registrations/{token}"), ("post", "/api/v1/registrations/{token}"),
    ("post", "/api/v1/password-resets"), ("post", "/api/v1/password-resets/{token}"),
    ("get", "/api/v1/providers/{id}"), ("patch", "/api/v1/providers/{id}/profile"),
    ("post", "/api/v1/providers/{id}/images"),
    ("delete", "/api/v1/providers/{id}/images/{image_id}"),
    ("post", "/api/v1/uploads"), ("get", "/api/v1/attachments/{id}"),
    ("get", "/healthz"), ("get", "/readyz"), ("get", "/metrics"),
    ("get", "/api/openapi.json"), ("get", "/api/docs"),
]


def test_healthz_is_ok_and_readyz_checks_the_broker_and_every_service(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) == {"broker", "identity", "relationships",
                                           "authorizations", "attendance", "notifications"}


def test_openapi_documents_every_identity_and_operational_endpoint(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for method, path in API_MD_IDENTITY_AND_OPERATIONS:
        assert method in document["paths"].get(path, {}), f"{method.upper()} {path} undocumented"
    login = document["paths"]["/api/v1/sessions"]["post"]
    assert "requestBody" in login


def test_docs_page_is_swagger_ui_served_from_this_gateway(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "'self'" in page.headers["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "nothing from another origin"
    assert "<script>" not in page.text  # no inline script: the policy forbids them
    assets = re.findall(r"(?:src|href)=\"(/api/docs/static/[^\"]+)\"", page.text)
    assert {a.rsplit("/", 1)[1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css",
                                                     "ponte-docs.js"}
    for path in assets:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"].split(";")[0] in (
            "text/javascript", "text/css", "image/png"), path
    assert "SwaggerUIBundle" in client.get("/api/docs/static/swagger-ui-bundle.js").text
    assert "/api/openapi.json" in client.get("/api/docs/static/ponte-docs.js").text
    for name in ("index.html", "..%2Fswagger-ui.js", "__init__.py", "swagger-ui.js.map"):
        assert client.get(f"/api/docs/static/{name}").status_code == 404, name


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/api/v1/me")  # 401
    text = client.get("/metrics").text
    assert re.search(r'ponte_http_requests_total\{endpoint="/api/v1/me",http_method="GET",'
                     r'status_code="401"\} \d', text)
    assert "ponte_http_request_duration_seconds_bucket" in text


def test_correlation_id_is_echoed_or_made(client):
    assert client.get("/healthz", headers={"X-Correlation-Id": "abc-123"}).headers[
        "X-Correlation-Id"] == "abc-123"
    assert len(client.get("/healthz").headers["X-Correlation-Id"]) >= 16


def test_errors_are_problem_documents_never_traces(client):
    citizen = register_citizen(client)
    cases = [
        (client.get("/api/v1/nowhere"), 404),
        (client.get("/api/v1/me"), 401),
        (client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-jwt"}), 401),
        (client.post("/api/v1/sessions", data="{not json",
                     headers={"Content-Type": "application/json"}), 400),
        (client.post("/api/v1/sessions", json=["a", "list"]), 422),
        (client.post("/api/v1/sessions", data="login=x", headers={
            "Content-Type": "application/x-www-form-urlencoded"}), 415),
        (client.patch("/api/v1/me", token=citizen["token"], json={"name": 12}), 422),
        (client.post("/api/v1/staff", token=citizen["token"],
                     json={"email": "x@ponte.test", "name": "X", "roles": ["operator"]}), 403),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (answer.request.method, answer.request.url,
                                              answer.text)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        problem = answer.json()
        assert problem["status"] == status and problem["title"] and problem["detail"]
        assert "Traceback" not in answer.text
    invalid = cases[6][0].json()
    assert "name" in invalid["errors"]

