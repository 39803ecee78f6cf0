"""Uploads streamed into object storage (local directory embedded, S3 over HTTP distributed)."""
from __future__ import annotations

import hashlib
import io
import zipfile

from tests.stack import register_citizen

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 2048
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89" + b"\x00" * 64)
MiB = 1024 * 1024


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _upload(client, token, name, content, mimetype="application/octet-stream"):
    return client.post("/api/v1/uploads", token=token, files={"file": (name, content, mimetype)})


def test_upload_then_download_by_its_uploader(client):
    citizen = register_citizen(client)
    answer = _upload(client, citizen["token"], "raio-x panorâmico.pdf", PDF)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF) and body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["filename"] == "raio-x panorâmico.pdf"
    download = client.get(f"/api/v1/attachments/{body['id']}", token=citizen["token"])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Type"].startswith("application/pdf")


def test_nobody_else_can_download_an_unattached_upload(client):
    owner, other = register_citizen(client), register_citizen(client)
    upload_id = _upload(client, owner["token"], "a.png", PNG).json()["id"]
    assert client.get(f"/api/v1/attachments/{upload_id}", token=other["token"]).status_code == 404
    assert client.get("/api/v1/attachments/not-a-uuid", token=owner["token"]).status_code == 404
    for other_form in (f"{{{upload_id}}}", f"urn:uuid:{upload_id}", upload_id.upper()):
        assert client.get(f"/api/v1/attachments/{other_form}",
                          token=owner["token"]).status_code == 404, other_form


def test_type_is_decided_by_content_not_by_name(client):
    token = register_citizen(client)["token"]
    assert _upload(client, token, "scan.bin", PNG).json()["content_type"] == "image/png"
    assert _upload(client, token, "letter.docx", _docx()).status_code == 201
    fake = _upload(client, token, "fake.pdf", b"MZ\x90\x00" + b"\x00" * 600)
    assert fake.status_code == 415 and fake.headers["Content-Type"].startswith(
        "application/problem+json")
    assert _upload(client, token, "notes.pdf", b"just some text\n" * 50).status_code == 415


def test_ten_mebibytes_is_the_limit(client):
    token = register_citizen(client)["token"]
    exactly = PDF + b"0" * (10 * MiB - len(PDF))
    assert _upload(client, token, "big.pdf", exactly).status_code == 201
    too_big = _upload(client, token, "bigger.pdf", exactly + b"0")
    assert too_big.status_code == 413, too_big.text


def test_malformed_uploads_are_refused(client):
    token = register_citizen(client)["token"]
    assert client.post("/api/v1/uploads", token=token, json={"file": "x"}).status_code == 415
    missing = client.post("/api/v1/uploads", token=token, files={"other": ("a.pdf", PDF)})
    assert missing.status_code == 422 and "file" in missing.json()["errors"]
    assert client.post("/api/v1/uploads", files={"file": ("a.pdf", PDF)}).status_code == 401


def test_control_characters_are_dropped_from_file_names(client):
    token = register_citizen(client)["token"]
    answer = _upload(client, token, "raio\x00-x\x7f.png", PNG)
    assert answer.status_code == 201, answer.text
    assert answer.json()["filename"] == "raio-x.png"
    download = client.get(f"/api/v1/attachments/{answer.json()['id']}", token=token)
    assert download.status_code == 200 and "raio-x.png" in download.headers["Content-Disposition"]
    assert _upload(client, token, "\x00", PNG).status_code == 422
