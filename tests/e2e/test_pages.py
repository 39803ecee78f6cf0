"""The web pages over plain HTTP (issue 11): HTML in every case, the security headers on every
page, the visitor's language, and forms that work without script by passing through the same
JSON API. The browser itself is exercised in tests/browser."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj

PAGES = ["/registration?token=unknown", "/password-reset?token=whatever", "/forgot-password",
         "/terms", "/registration", "/password-reset"]
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def invited_clinic(client, mail) -> tuple[str, str, str]:
    """(e-mail, CNPJ, registration token) of a provider an operator has just pre-registered."""
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    operator = f"op-{uuid.uuid4().hex[:8]}@ponte.test"
    assert client.post("/api/v1/staff", token=admin, json={
        "email": operator, "name": "Op", "roles": ["operator"]}).status_code == 201
    setup = mail.token(operator, "defina sua senha")
    assert client.post(f"/api/v1/password-resets/{setup}", json={
        "password": "Oper#2026", "password_confirmation": "Oper#2026"}).status_code == 204
    email, cnpj = f"clinic-{uuid.uuid4().hex[:8]}@ponte.test", new_cnpj()
    assert client.post("/api/v1/providers", token=client.token(operator, "Oper#2026"), json={
        "document": cnpj, "legal_name": "<script>alert(1)</script> Clínica", "email": email}
    ).status_code == 201
    return email, cnpj, mail.token(email, "convite")


def assert_every_field_is_labelled(html: str) -> None:
    """Every visible input and select has a <label for=...>; radios sit inside their label."""
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select)\b[^>]*>", html, re.S):
        if 'type="hidden"' in tag or 'type="radio"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert field_id in labelled, tag


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_html_with_the_security_headers(client, path):
    answer = client.get(path)
    assert answer.status_code in (200, 404)
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Content-Security-Policy"] == CSP
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Language"] == "pt-BR"
    assert '<html lang="pt-BR">' in answer.text
    assert "<script>" not in answer.text and " style=" not in answer.text
    assert re.findall(r"<script[^>]*>", answer.text) == [
        '<script src="/assets/pages.js" defer>']


def test_unknown_and_missing_tokens_get_a_page_saying_so(client):
    for path in ("/registration?token=nope", "/registration", "/registration?token=%00",
                 "/registration?token=a&token=b", "/password-reset",
                 "/password-reset?token=whatever"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Link inválido ou expirado" in answer.text
        assert "Traceback" not in answer.text


def test_language_follows_accept_language(client):
    for header, lang, title in (("en-US,en;q=0.9", "en", "Forgot your password?"),
                                ("it-IT", "it", "Ha dimenticato la password?"),
                                ("pt-BR", "pt-BR", "Esqueceu sua senha?"),
                                ("de-DE", "pt-BR", "Esqueceu sua senha?"),
                                ("fr;q=0.9, it;q=0.8", "it", "Ha dimenticato la password?")):
        answer = client.get("/forgot-password", headers={"Accept-Language": header})
        assert answer.headers["Content-Language"] == lang
        assert f'<html lang="{lang}">' in answer.text and title in answer.text
    terms = client.get("/terms", headers={"Accept-Language": "en"}).text
    assert "Last updated: 2026-12-01." in terms
    assert "01/12/2026" in client.get("/terms").text


def test_assets_are_served_with_their_types(client):
    script = client.get("/assets/pages.js")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "history.replaceState" in script.text
    assert client.get("/assets/pages.css").headers["Content-Type"].startswith("text/css")
    assert client.get("/assets/..%2Fsecret").status_code == 404
    assert client.get("/assets/routes.py").status_code == 404


def test_registration_form_without_script_goes_through_the_json_api(client, mail):
    email, cnpj, token = invited_clinic(client, mail)
    page = client.get(f"/registration?token={token}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Clínica" in page.text  # escaped
    formatted = f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
    assert formatted in page.text and email in page.text
    assert_every_field_is_labelled(page.text)

    refused = client.post("/registration", data={
        "token": token, "provider_type": "hospital", "password": "abc",
        "password_confirmation": "abc", "accepted_terms": "on"})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Use ao menos 6 caracteres." in refused.text
    assert "Senha: Use ao menos 6 caracteres." in refused.text  # the summary names the field
    assert 'aria-invalid="true"' in refused.text
    assert '<option value="hospital" selected>' in refused.text

    done = client.post("/registration", data={
        "token": token, "provider_type": "hospital", "password": "Hosp#2026",
        "password_confirmation": "Hosp#2026", "accepted_terms": "on"})
    assert done.status_code == 200
    assert "Cadastro concluído no Ponte" in done.text and email in done.text
    assert client.login(email, "Hosp#2026")["account"]["kind"] == "provider"
    again = client.post("/registration", data={"token": token, "password": "x"})
    assert again.status_code == 404 and "Link inválido ou expirado" in again.text


def test_forgot_password_without_script_always_says_the_same(client):
    assert_every_field_is_labelled(client.get("/forgot-password").text)
    for email in ("nobody@ponte.test", ADMIN_EMAIL):
        answer = client.post("/forgot-password", data={"email": email})
        assert answer.status_code == 200
        assert "Confira seu e-mail" in answer.text
    refused = client.post("/forgot-password", data={"email": "nope"})
    assert refused.status_code == 422 and "Informe um e-mail válido." in refused.text
