"""The edge's rules on a running system (docs/edge.md): forged cursors, unknown fields, strict
booleans, stored file names that agree with their content, one file per upload, downloads that
are not cached."""
from __future__ import annotations

import base64

import pytest

from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cpf, register_citizen

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 2048


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


FORGED = ['[{"d":"2026-01-01"},"a"]', '[123,"a"]', '[NaN,"a"]', '[1e999999,"a"]',
          '[{"n":"NaN"},"a"]', '["2026-01-01T00:00:00Z",{"t":"2026-01-01T00:00:00Z"}]',
          '[{"t":"2026-01-01T00:00:00Z"},123]']
CITIZEN_LISTS = ["/api/v1/notifications", "/api/v1/me/service-requests",
                 "/api/v1/me/appointments", "/api/v1/services"]
STAFF_LISTS = ["/api/v1/authorization-requests", "/api/v1/bulletins", "/api/v1/payments",
               "/api/v1/inquiries"]


@pytest.mark.parametrize("path", CITIZEN_LISTS + STAFF_LISTS)
def test_a_forged_cursor_is_a_400_naming_the_cursor_never_a_500(client, path):
    token = register_citizen(client)["token"] if path in CITIZEN_LISTS \
        else client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    for forged in FORGED:
        answer = client.get(path, token=token, params={"cursor": _cursor(forged)})
        assert answer.status_code == 400, (path, forged, answer.status_code, answer.text)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert "cursor" in answer.json().get("errors", {}), (path, forged, answer.text)


def test_unknown_fields_come_back_with_every_other_error(client):
    answer = client.post("/api/v1/citizens", json={
        "cpf": "123", "email": "not-an-address", "name": " \u200b ", "password": "Citizen#1",
        "password_confirmation": "Citizen#1", "accepted_terms": "yes", "payment_id": "x",
        "nickname": "Cida"})
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert errors["payment_id"] == ["unknown field"] and errors["nickname"] == ["unknown field"]
    assert {"cpf", "email", "name", "accepted_terms"} <= set(errors), errors


def test_a_json_boolean_is_the_only_boolean(client):
    body = {"cpf": new_cpf(), "email": "strict@ponte.test", "name": "Cida",
            "password": "Citizen#1", "password_confirmation": "Citizen#1"}
    for value in ("yes", "true", 1):
        answer = client.post("/api/v1/citizens", json={**body, "accepted_terms": value})
        assert answer.status_code == 422 and "accepted_terms" in answer.json()["errors"]


@pytest.mark.parametrize("name, stored", [
    ("laudo.hta", "laudo.hta.pdf"), ("laudo.html", "laudo.html.pdf"),
    ("laudo.svg", "laudo.svg.pdf"), ("laudo.js", "laudo.js.pdf"), ("laudo.bat", "laudo.bat.pdf"),
    ("laudo.exe", "laudo.exe.pdf"), ("laudo.lnk", "laudo.lnk.pdf"), ("laudo", "laudo.pdf"),
    ("laudo.pdf", "laudo.pdf")])
def test_a_stored_name_agrees_with_the_content_and_is_not_cached(client, name, stored):
    citizen = register_citizen(client)
    answer = client.post("/api/v1/uploads", token=citizen["token"],
                         files={"file": (name, PDF, "application/hta")})
    assert answer.status_code == 201, answer.text
    assert answer.json()["filename"] == stored
    download = client.get(f"/api/v1/attachments/{answer.json()['id']}", token=citizen["token"])
    assert download.status_code == 200
    assert f'filename="{stored}"' in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"


def test_two_files_in_one_upload_are_refused(client):
    citizen = register_citizen(client)
    answer = client.post("/api/v1/uploads", token=citizen["token"],
                         files=[("file", ("a.pdf", PDF, "application/pdf")),
                                ("file", ("b.pdf", PDF, "application/pdf"))])
    assert answer.status_code == 422 and "file" in answer.json()["errors"], answer.text
