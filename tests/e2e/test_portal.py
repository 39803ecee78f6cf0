"""The portal's foundation over plain HTTP (issue 18): signed-out redirects that come back,
the session cookie (HttpOnly, SameSite=Lax, no token in it), sign-in messages, cross-site forms
refused, "Sair" revoking the tokens so a replayed cookie opens nothing, and the API's problem
documents in the caller's language. The browser itself is exercised in tests/browser."""
from __future__ import annotations

import re
import uuid

import requests

from tests.stack import new_cpf

PASSWORD = "Cidada#2026"  # nosec B105 # a test account's password


def citizen(client) -> tuple[str, str, str]:
    """(e-mail, CPF, name) of a citizen who has just created an account through the API."""
    email, cpf, name = f"cid-{uuid.uuid4().hex[:8]}@ponte.test", new_cpf(), "Cecília Cidadã"
    created = client.post("/api/v1/citizens", json={
        "cpf": cpf, "email": email, "name": name, "password": PASSWORD,
        "password_confirmation": PASSWORD, "accepted_terms": True})
    assert created.status_code == 201, created.text
    return email, cpf, name


def browser(client) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"})
    return session


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]*)"', html).group(1)


def sign_in(client, web: requests.Session, login: str, password: str = PASSWORD,
            next_: str = "/", remember: bool = False) -> requests.Response:
    form = {"login": login, "password": password, "next": next_, "csrf": ""}
    if remember:
        form["remember_me"] = "on"
    return web.post(client.base_url + "/sign-in", data=form, allow_redirects=False)


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client):
    web = browser(client)
    answer = web.get(client.base_url + "/notifications?unread=true", allow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/sign-in?next=/notifications%3Funread%3Dtrue"
    assert web.get(client.base_url + "/", allow_redirects=False).headers["Location"] == "/sign-in"
    page = web.get(client.base_url + "/sign-in?next=/notifications%3Funread%3Dtrue")
    assert page.status_code == 200 and 'value="/notifications?unread=true"' in page.text
    for name in ("E-mail, CPF ou CNPJ", "Senha", "Mantenha-me conectado", "Entrar",
                 "Esqueci minha senha", "Criar uma conta"):
        assert name in page.text
    email, _cpf, _name = citizen(client)
    signed = sign_in(client, web, email, next_="/notifications?unread=true")
    assert signed.status_code == 303 and signed.headers["Location"] == "/notifications?unread=true"
    elsewhere = sign_in(client, browser(client), email, next_="https://evil.example/")
    assert elsewhere.headers["Location"] == "/"


def test_the_session_cookie_holds_no_token_and_script_cannot_read_it(client):
    email, _cpf, name = citizen(client)
    web = browser(client)
    answer = sign_in(client, web, email)
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("ponte_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie and "Expires" not in cookie  # ends with the browser
    tokens = client.login(email, PASSWORD)
    assert tokens["access_token"].split(".")[0] not in cookie
    home = web.get(client.base_url + "/")
    assert home.status_code == 200 and name in home.text and "Sair" in home.text
    assert home.headers["Cache-Control"] == "no-store"
    assert "unsafe-inline" not in home.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["Referrer-Policy"] == "no-referrer"
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    kept = sign_in(client, browser(client), email, remember=True).headers["Set-Cookie"]
    assert "Max-Age=" in kept  # "Mantenha-me conectado": it outlives the browser


def test_sign_in_says_what_went_wrong_and_never_returns_the_password(client):
    email, cpf, _name = citizen(client)
    web = browser(client)
    wrong = sign_in(client, web, email, "Wrong#pass1")
    assert wrong.status_code == 401
    assert 'role="alert"' in wrong.text and "E-mail, CPF, CNPJ ou senha incorretos." in wrong.text
    assert "Wrong#pass1" not in wrong.text and f'value="{email}"' in wrong.text
    by_cpf = sign_in(client, web, cpf)
    assert by_cpf.status_code == 303


def test_cross_site_forms_are_refused(client):
    email, _cpf, _name = citizen(client)
    web = browser(client)
    sign_in(client, web, email)
    home = web.get(client.base_url + "/")
    token = csrf_of(home.text)
    forged = web.post(client.base_url + "/sign-out", data={"csrf": token},
                      headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                      allow_redirects=False)
    assert forged.status_code == 403 and "text/html" in forged.headers["Content-Type"]
    tokenless = web.post(client.base_url + "/sign-out", data={}, allow_redirects=False)
    assert tokenless.status_code == 403
    assert web.get(client.base_url + "/", allow_redirects=False).status_code == 200  # still in


def test_sign_out_revokes_the_tokens_so_the_old_cookie_opens_nothing(client):
    email, _cpf, _name = citizen(client)
    web = browser(client)
    sign_in(client, web, email)
    old = dict(web.cookies)
    token = csrf_of(web.get(client.base_url + "/").text)
    out = web.post(client.base_url + "/sign-out", data={"csrf": token}, allow_redirects=False)
    assert out.status_code == 303 and out.headers["Location"] == "/sign-in"
    assert "ponte_session=" in out.headers["Set-Cookie"]
    replay = requests.get(client.base_url + "/notifications", cookies=old, allow_redirects=False)
    assert replay.status_code == 303 and replay.headers["Location"].startswith("/sign-in")


def test_the_inbox_and_preferences_screens(client):
    email, _cpf, _name = citizen(client)
    web = browser(client)
    sign_in(client, web, email)
    inbox = web.get(client.base_url + "/notifications")
    assert inbox.status_code == 200 and "Marcar todas como lidas" in inbox.text
    token = csrf_of(inbox.text)
    marked = web.post(client.base_url + "/notifications/read-all", data={"csrf": token},
                      allow_redirects=False)
    assert marked.status_code == 303
    preferences = web.get(client.base_url + "/notifications/preferences")
    assert preferences.status_code == 200 and "Preferências de notificação" in preferences.text
    checked = re.findall(r'name="(email\.[^"]+)" checked', preferences.text)
    assert checked
    saved = web.post(client.base_url + "/notifications/preferences",
                     data={"csrf": token, "patient_messages": "on", **dict.fromkeys(checked, "on")})
    assert saved.status_code == 200 and "Preferências salvas." in saved.text
    refused = web.post(client.base_url + "/notifications/preferences", data={"csrf": token})
    assert refused.status_code == 422  # every box unticked: security e-mails stay on
    assert "Os e-mails de segurança não podem ser desligados." in refused.text
    assert 'aria-invalid="true"' in refused.text and "error-summary" in refused.text
    ticket = web.post(client.base_url + "/notifications/stream-ticket",
                      headers={"X-CSRF-Token": token})
    assert ticket.status_code == 200 and ticket.json()["ticket"]


def test_sign_up_keeps_what_was_typed_and_shows_every_error(client):
    web = browser(client)
    page = web.get(client.base_url + "/sign-up")
    assert "Criar uma conta" in page.text and "Criar conta" in page.text
    failed = web.post(client.base_url + "/sign-up", data={
        "kind": "secretary", "name": "Sônia", "email": "not-an-email", "password": "x",
        "csrf": ""})
    assert failed.status_code == 422
    assert 'value="Sônia"' in failed.text and 'value="x"' not in failed.text
    assert failed.text.count('class="field-error"') >= 1 and "error-summary" in failed.text
    assert "Campo obrigatório." in failed.text  # the API's message, in the person's language


def test_problem_documents_follow_accept_language(client):
    answers = {language: client.post("/api/v1/citizens", json={"cpf": 5},
                                     headers={"Accept-Language": language}).json()
               for language in ("en", "it", "pt-BR")}
    assert answers["en"]["errors"]["email"] == ["Missing data for required field."]
    assert answers["it"]["errors"]["email"] == ["Campo obbligatorio."]
    assert answers["pt-BR"]["errors"]["email"] == ["Campo obrigatório."]
    assert answers["pt-BR"]["title"] == "Dados inválidos" and answers["it"]["title"] == \
        "Dati non validi"
    assert answers["pt-BR"]["errors"]["cpf"] == ["Valor inválido."]
    for answer in answers.values():
        assert answer["status"] == 422 and answer["type"].endswith("/422")
        assert set(answer["errors"]) == set(answers["en"]["errors"])
    default = requests.post(client.base_url + "/api/v1/citizens", json={}).json()
    assert default["title"] == "Dados inválidos"


def test_a_cpf_shared_by_two_accounts_asks_for_the_e_mail(client):
    email, cpf, _name = citizen(client)
    secretary_email = f"sec-{uuid.uuid4().hex[:8]}@ponte.test"
    created = client.post("/api/v1/secretaries", json={
        "cpf": cpf, "email": secretary_email, "email_confirmation": secretary_email,
        "name": "Cecília Secretária", "sex": "female", "password": PASSWORD,
        "password_confirmation": PASSWORD, "accepted_terms": True})
    assert created.status_code == 201, created.text
    shared = sign_in(client, browser(client), cpf)
    assert shared.status_code in (401, 409) and 'role="alert"' in shared.text
    assert "informe o e-mail" in shared.text
    assert sign_in(client, browser(client), email).status_code == 303


def test_a_locked_login_says_when_to_try_again(client):
    email, _cpf, _name = citizen(client)
    web = browser(client)
    answer = None
    for _attempt in range(12):
        answer = sign_in(client, web, email, "Wrong#pass1")
        if answer.status_code == 429:
            break
    assert answer.status_code == 429 and 'role="alert"' in answer.text
    assert re.search(r"Tente de novo às \d{2}:\d{2}", answer.text)
