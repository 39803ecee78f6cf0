"""The provider network's screens over plain HTTP (issue 18): a secretary without a role gets
no menu entry and the address answers the API's refusal page, never the data; form errors come
back beside their fields with what was typed kept; a repeated "Enviar convite" makes one
invitation; the operator pre-registers and finds a provider; the public search and page. The
browser itself drives these in tests/browser/test_portal_network.py."""
from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.notifications_helpers import People
from tests.e2e.test_portal import csrf_of
from tests.e2e.test_relationships import API, PASSWORD
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj


@pytest.fixture(scope="module")
def people(stack):
    return People(stack.client, stack.mail)


def web_as(client, login: str, password: str = PASSWORD) -> requests.Session:
    """A signed-in portal session (the cookie, as a browser holds it)."""
    web = requests.Session()
    web.headers.update({"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"})
    answer = web.post(client.base_url + "/sign-in", data={"login": login, "password": password,
                                                          "next": "/"}, allow_redirects=False)
    assert answer.status_code == 303, answer.text
    return web


def main_of(html: str) -> str:
    return html.split('<main', 1)[1].split('</main>', 1)[0]


def post(client, web: requests.Session, path: str, data: dict, page: str | None = None,
         **kwargs) -> requests.Response:
    form = web.get(client.base_url + (page or path))
    return web.post(client.base_url + path, data={**data, "csrf": csrf_of(form.text)},
                    allow_redirects=False, **kwargs)


def test_a_secretary_without_the_role_sees_no_entry_and_the_address_refuses(client, people):
    provider = people.provider("Clínica Recusa", "clinic")
    secretary = people.secretary("Berenice Sempapel")
    people.relate(provider, secretary, ["billing"])
    web = web_as(client, secretary["email"])
    home = web.get(client.base_url + "/")
    assert 'href="/relationships"' not in home.text
    assert 'href="/bulletins"' in home.text  # any active relationship reads bulletins
    refused = web.get(client.base_url + "/relationships")
    assert refused.status_code in (403, 404)
    assert "Página indisponível" in main_of(refused.text)
    assert "Secretariado" not in main_of(refused.text)  # the table's rows never show
    assert web.get(client.base_url + "/relationships/new?by=name&q=Souza").status_code in (
        403, 404)
    assert web.get(client.base_url + "/operator/providers").status_code == 403


def test_one_invitation_for_a_form_sent_twice_and_the_409_shown(client, people):
    provider = people.provider("Clínica Dobro", "clinic")
    secretary = people.secretary(f"Dalva Duplo {uuid.uuid4().hex[:4]}")
    web = web_as(client, provider["email"])
    page = web.get(client.base_url + "/relationships/new",
                   params={"by": "email", "q": secretary["email"]})
    assert page.status_code == 200 and secretary["name"] in page.text
    key = re.search(r'name="idempotency_key" value="([^"]*)"', page.text).group(1)
    form = {"csrf": csrf_of(page.text), "idempotency_key": key, "secretary_id": secretary["id"],
            "roles": ["authorizations", "billing"], "by": "email", "q": secretary["email"]}
    first = web.post(client.base_url + "/relationships/new", data=form, allow_redirects=False)
    assert first.status_code == 303 and first.headers["Location"] == "/relationships?sent=1"
    again = web.post(client.base_url + "/relationships/new", data=form, allow_redirects=False)
    assert again.status_code in (303, 409)
    if again.status_code == 409:
        assert 'id="error-summary"' in again.text and secretary["name"] in again.text
    listed = client.get(f"{API}/providers/{provider['id']}/invitations", token=provider["token"])
    assert len([i for i in listed.json()["items"]
                if i["secretary_id"] == secretary["id"]]) == 1


def test_novo_relacionamento_proposes_the_term_and_convites_starts_from_it(client, people):
    """PORTAL.md: "Tempo indeterminado" or an end date at "Novo relacionamento"; the secretary's
    "Aceitar convite" shows that term chosen (000 lets her answer with another)."""
    provider = people.provider("Clínica Prazo", "clinic")
    secretary = people.secretary(f"Paula Prazo {uuid.uuid4().hex[:4]}")
    web = web_as(client, provider["email"])
    search = f"/relationships/new?by=email&q={secretary['email']}"
    page = web.get(client.base_url + search)
    assert "Tempo indeterminado" in main_of(page.text) and 'name="until"' in page.text
    mistaken = post(client, web, "/relationships/new",
                    {"secretary_id": secretary["id"], "roles": ["billing"], "term": "until",
                     "until": "2001-01-01", "by": "email", "q": secretary["email"]}, page=search)
    assert mistaken.status_code == 422
    assert 'data-error-for="until"' in mistaken.text and 'value="2001-01-01"' in mistaken.text
    sent = post(client, web, "/relationships/new",
                {"secretary_id": secretary["id"], "roles": ["billing"], "term": "until",
                 "until": "2099-12-31", "by": "email", "q": secretary["email"]}, page=search)
    assert sent.status_code == 303, sent.text
    mine = web_as(client, secretary["email"]).get(client.base_url + "/invitations")
    assert re.search(r'value="until" id="term-until-[^"]+" checked', mine.text)
    assert 'value="2099-12-31"' in mine.text
    listed = client.get(f"{API}/me/invitations", token=secretary["token"]).json()["items"]
    assert [i["until"] for i in listed] == ["2099-12-31"]
    accepted = client.post(f"{API}/invitations/{listed[0]['id']}/accept",
                           token=secretary["token"], json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["until"] == "2099-12-31"


def test_the_invitation_needs_a_role_and_keeps_the_search(client, people):
    provider = people.provider("Clínica Papel", "clinic")
    secretary = people.secretary(f"Rosa Semrole {uuid.uuid4().hex[:4]}")
    web = web_as(client, provider["email"])
    answer = post(client, web, "/relationships/new",
                  {"secretary_id": secretary["id"], "by": "email", "q": secretary["email"]},
                  page=f"/relationships/new?by=email&q={secretary['email']}")
    assert answer.status_code == 422
    assert 'data-error-for="roles"' in answer.text and secretary["name"] in answer.text
    assert 'class="field-error" id="roles-error" data-error-for="roles"></p>' not in answer.text


def test_a_name_search_of_two_letters_is_an_error_beside_the_field(client, people):
    provider = people.provider("Clínica Busca", "clinic")
    web = web_as(client, provider["email"])
    page = web.get(client.base_url + "/relationships/new", params={"by": "name", "q": "ab"})
    assert page.status_code == 422
    assert 'id="q" name="q" type="text"' in page.text and 'value="ab"' in page.text
    assert 'aria-invalid="true"' in page.text


def test_the_profile_form_shows_the_error_beside_its_field_and_keeps_the_rest(client, people):
    provider = people.provider("Clínica Perfil", "clinic")
    web = web_as(client, provider["email"])
    answer = post(client, web, "/my-account/profile", {
        "address.street": "Rua das Flores", "address.number": "12",
        "address.district": "Centro", "address.city": "Niterói", "address.state": "XX",
        "address.postal_code": "24020-000", "phones": "21 2222-3333",
        "opening_hours": "Seg a sex, 8h às 18h"}, page="/my-account")
    assert answer.status_code == 422
    assert 'data-error-for="address.state"' in answer.text
    assert re.search(r'data-error-for="address.state">[^<]+</p>', answer.text)
    assert 'value="Rua das Flores"' in answer.text and "Seg a sex, 8h às 18h" in answer.text


def test_a_provider_missing_its_profile_sees_what_is_missing(client, people, stack):
    email = f"provider-{uuid.uuid4().hex[:8]}@ponte.test"
    created = client.post(f"{API}/providers", token=people.operator, json={
        "document": new_cnpj(), "legal_name": "Clínica Incompleta", "email": email})
    assert created.status_code == 201
    registered = client.post(f"{API}/registrations/{stack.mail.token(email)}", json={
        "provider_type": "clinic", "password": PASSWORD, "password_confirmation": PASSWORD,
        "accepted_terms": True})
    assert registered.status_code == 201
    web = web_as(client, email)
    for path in ("/", "/my-account"):
        page = web.get(client.base_url + path)
        assert 'id="missing-profile"' in page.text and "Telefones" in page.text, path


def test_the_operator_pre_registers_and_finds_a_provider(client, people):
    admin = web_as(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    name = f"Hospital Prévio {uuid.uuid4().hex[:4]}"
    answer = post(client, admin, "/operator/providers", {
        "document": new_cnpj(), "legal_name": name, "email": f"h-{uuid.uuid4().hex[:6]}@x.test",
        "sites.0.name": "", "sites.0.email": ""})
    assert answer.status_code == 201 and name in answer.text
    found = admin.get(client.base_url + "/operator/providers",
                      params={"q": name.split()[1], "status": "invited"})
    assert name in found.text
    bad = post(client, admin, "/operator/providers", {"document": "123", "legal_name": name,
                                                      "email": "not-an-email"})
    assert bad.status_code == 422
    assert 'data-error-for="document"' in bad.text and f'value="{name}"' in bad.text


def test_the_public_finds_an_active_provider_and_its_page_links_to_booking(client, people):
    provider = people.provider("Clínica Pública", "dentist")
    web = requests.Session()
    found = web.get(client.base_url + "/providers",
                    params={"q": provider["legal_name"].split()[1], "provider_type": "dentist"})
    assert found.status_code == 200 and provider["legal_name"] in found.text
    page = web.get(client.base_url + f"/providers/{provider['id']}")
    assert page.status_code == 200 and f'href="/providers/{provider["id"]}/book"' in page.text
    for unknown in (uuid.uuid4(), "not-an-id", "%00", "a" * 300):
        assert web.get(client.base_url + f"/providers/{unknown}").status_code == 404, unknown
    short = web.get(client.base_url + "/providers", params={"q": "ab", "city": "x" * 300})
    assert short.status_code == 422 and 'data-error-for="q">' in short.text
    assert re.search(r'data-error-for="q">[^<]+</p>', short.text)


def test_a_provider_reads_a_bulletin_and_downloads_its_document(client, people):
    provider = people.provider("Clínica Leitura", "laboratory")
    upload = client.post(f"{API}/uploads", token=people.operator,
                         files={"file": ("tabela.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert upload.status_code == 201, upload.text
    published = client.post(f"{API}/bulletins", token=people.operator, json={
        "title": "Tabela nova", "body": "Vale em janeiro.", "provider_types": ["laboratory"],
        "attachment_ids": [upload.json()["id"]]})
    assert published.status_code == 201, published.text
    web = web_as(client, provider["email"])
    page = web.get(client.base_url + "/bulletins")
    assert "Tabela nova" in page.text and f'/documents/{upload.json()["id"]}' in page.text
    document = web.get(client.base_url + f"/documents/{upload.json()['id']}")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    stranger = web.get(client.base_url + f"/documents/{uuid.uuid4()}")
    assert stranger.status_code == 404


def test_meu_cadastro_changes_the_account_and_deletes_it_with_the_current_password(client,
                                                                                    people):
    secretary = people.secretary("Clara Conta")
    web = web_as(client, secretary["email"])
    saved = post(client, web, "/my-account", {"name": "Clara Conta Nova",
                                              "secondary_email": "clara@outro.test"})
    assert saved.status_code == 303
    page = web.get(client.base_url + "/my-account")
    assert 'value="Clara Conta Nova"' in page.text and 'value="clara@outro.test"' in page.text
    assert 'id="profile"' not in page.text  # no provider acted for: no provider profile
    wrong = post(client, web, "/my-account/password", {
        "password_current": "Errada#2026", "new_password": "Nova#2026x",
        "new_password_confirmation": "Nova#2026x"}, page="/my-account")
    assert wrong.status_code == 422
    assert re.search(r'data-error-for="password_current">[^<]+</p>', wrong.text)
    assert "Errada#2026" not in wrong.text and "Nova#2026x" not in wrong.text
    kept = post(client, web, "/my-account/delete", {"delete_password": "Errada#2026"},
                page="/my-account")
    assert kept.status_code == 422 and 'data-error-for="delete_password">' in kept.text
    gone = post(client, web, "/my-account/delete", {"delete_password": PASSWORD},
                page="/my-account")
    assert gone.status_code == 303 and gone.headers["Location"] == "/sign-in"
    assert client.post(f"{API}/sessions", json={"login": secretary["email"],
                                                "password": PASSWORD}).status_code == 401


def test_bulletins_need_an_active_relationship(client, people):
    secretary = people.secretary("Lia Sozinha")
    web = web_as(client, secretary["email"])
    assert 'href="/bulletins"' not in web.get(client.base_url + "/").text
    refused = web.get(client.base_url + "/bulletins")
    assert refused.status_code == 403 and "Página indisponível" in main_of(refused.text)
