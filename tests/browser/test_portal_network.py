"""The provider network of seed 000 in a real headless Chromium (issue 18): a provider invites a
secretary found by name ("Enviar convite" double-clicked sends one invitation), she accepts for
an indefinite time and acts for the provider with the menu her roles open; a secretary without
``manage_relationships`` has no "Relacionamentos" and its address refuses; "Meu cadastro" shows
an error beside its field and keeps what was typed; the operator pre-registers a provider and
finds it, and publishes an "Informativo" with a document; the administrator creates a staff
member and an institution; anyone finds a provider. axe-core and screenshots on every screen."""
from __future__ import annotations

import base64
import uuid

import pytest

from tests.browser.test_portal import check_screen, sign_in, sign_out, wait_text
from tests.e2e.notifications_helpers import People
from tests.e2e.test_relationships import API, PASSWORD
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj, wait_until

# a 1x1 PNG, as a provider's profile image
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                       "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture(scope="module")
def people(stack):
    return People(stack.client, stack.mail)


def button(browser, text: str):
    """The button whose accessible name starts with ``text``."""
    return browser.driver.find_element(
        "xpath", f"//main//button[starts-with(normalize-space(), \"{text}\")]")


def link(browser, text: str):
    return browser.driver.find_element("xpath", f"//a[normalize-space()=\"{text}\"]")


def menu(browser) -> list[str]:
    return [a.text for a in browser.driver.find_elements("css selector", "nav.menu a")]


def staff_member(client, mail, roles: list[str]) -> str:
    """A staff account with ``roles`` and a password, made as the administrator would."""
    email = f"staff-{uuid.uuid4().hex[:8]}@ponte.test"
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    answer = client.post(f"{API}/staff", token=admin,
                         json={"email": email, "name": "Otávio Operador", "roles": roles})
    assert answer.status_code == 201, answer.text
    token = mail.token(email)
    answer = client.post(f"{API}/password-resets/{token}",
                         json={"password": PASSWORD, "password_confirmation": PASSWORD})
    assert answer.status_code == 204, answer.text
    return email


def test_a_provider_invites_a_secretary_who_accepts_and_acts_for_it(client, browser, people):
    provider = people.provider("Odonto Arte", "clinic")
    surname = f"Souza{uuid.uuid4().hex[:4]}"
    secretary = people.secretary(f"Priscila {surname}")
    base = client.base_url

    sign_in(browser, base, provider["email"], PASSWORD)
    wait_text(browser, "h1", "Portal do prestador")
    assert {"Meu cadastro", "Informativos", "Relacionamentos"} <= set(menu(browser))
    link(browser, "Relacionamentos").click()
    wait_text(browser, "h1", "Relacionamentos")
    check_screen(browser, "relationships-empty")
    link(browser, "Novo relacionamento").click()
    wait_text(browser, "h1", "Novo relacionamento")
    browser.choose("#by", "name")
    browser.fill("#q", surname.lower())
    button(browser, "Procurar").click()
    wait_text(browser, "main", secretary["name"])
    browser.click("input[name=roles][value=billing]")
    browser.click("input[name=roles][value=commercial]")
    check_screen(browser, "relationship-new")
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(browser.driver).double_click(button(browser, "Enviar convite")).perform()
    wait_text(browser, "main", "Convite enviado")
    check_screen(browser, "relationships-invited")
    sent = client.get(f"{API}/providers/{provider['id']}/invitations", token=provider["token"])
    assert [i["secretary_id"] for i in sent.json()["items"]] == [secretary["id"]]
    sign_out(browser)

    sign_in(browser, base, secretary["email"], PASSWORD)
    wait_text(browser, "h1", "Portal da secretária")
    assert "Relacionamentos" not in menu(browser)
    link(browser, "Convites").click()
    wait_text(browser, "main", provider["legal_name"])
    assert browser.find("input[name=term][value=indefinite]").is_selected()
    check_screen(browser, "invitations")
    button(browser, "Aceitar convite").click()
    wait_text(browser, "h1", "Portal da secretária")
    wait_text(browser, ".acting", provider["legal_name"])
    entries = menu(browser)
    assert "Informativos" in entries and "Meu cadastro" in entries
    assert "Relacionamentos" not in entries  # billing and commercial only
    check_screen(browser, "home-secretary-acting")
    link(browser, "Informativos").click()
    wait_text(browser, "h1", "Informativos")
    check_screen(browser, "bulletins-secretary")
    link(browser, "Meu cadastro").click()
    wait_text(browser, "h1", "Meu cadastro")
    assert browser.find("#profile").text == "Perfil do prestador"  # commercial: the profile
    link(browser, "Convites").click()
    wait_text(browser, "main", "Prestadores para quem atuo")
    check_screen(browser, "invitations-acting")

    # without manage_relationships, the address answers the API's refusal, not the data
    browser.open(base + "/relationships")
    wait_text(browser, "h1", "Página indisponível")
    assert "Secretariado" not in browser.find("main").text
    check_screen(browser, "relationships-refused")
    sign_out(browser)

    # the provider gives her manage_relationships; now she manages them too
    sign_in(browser, base, provider["email"], PASSWORD)
    wait_text(browser, "h1", "Portal do prestador")
    browser.open(base + "/relationships")
    wait_text(browser, "main", secretary["name"])
    browser.find("details summary").click()
    browser.click("details input[name=roles][value=manage_relationships]")
    button(browser, "Salvar papéis").click()
    wait_text(browser, "main", "Gerenciar Relacionamentos do Prestador")
    check_screen(browser, "relationships-active")
    sign_out(browser)
    sign_in(browser, base, secretary["email"], PASSWORD)
    wait_text(browser, "h1", "Portal da secretária")
    assert "Relacionamentos" in menu(browser)
    link(browser, "Relacionamentos").click()
    wait_text(browser, "main", secretary["name"])
    sign_out(browser)


def test_meu_cadastro_shows_the_error_beside_its_field_and_keeps_what_was_typed(
        client, browser, people, tmp_path):
    provider = people.provider("Clínica Cadastro", "clinic")
    sign_in(browser, client.base_url, provider["email"], PASSWORD)
    wait_text(browser, "h1", "Portal do prestador")
    link(browser, "Meu cadastro").click()
    wait_text(browser, "h1", "Meu cadastro")
    check_screen(browser, "my-account")
    browser.fill("#address-street", "Rua das Acácias")
    browser.fill("#address-state", "ZZ")
    browser.fill("#opening_hours", "Seg a sex, 8h às 18h")
    button(browser, "Salvar perfil").click()
    wait_text(browser, "#address-state-error", "")
    wait_until(lambda: browser.find("#address-state-error").text.strip(), 10,
               what="the state's error beside it")
    assert browser.find("#address-state").get_attribute("aria-invalid") == "true"
    assert browser.find("#error-summary").is_displayed()
    assert browser.find("#address-street").get_attribute("value") == "Rua das Acácias"
    assert browser.find("#opening_hours").get_attribute("value") == "Seg a sex, 8h às 18h"
    check_screen(browser, "my-account-errors")
    browser.fill("#address-state", "RJ")
    button(browser, "Salvar perfil").click()
    wait_text(browser, "main", "Salvo.")
    image = tmp_path / "fachada.png"
    image.write_bytes(PNG)
    browser.find("#file").send_keys(str(image))
    button(browser, "Adicionar imagem").click()
    wait_text(browser, "main", "Remover imagem 1")
    check_screen(browser, "my-account-image")
    button(browser, "Remover imagem 1").click()
    wait_text(browser, "main", "Nenhuma imagem ainda.")

    browser.open(client.base_url + f"/providers?q={provider['legal_name'].split()[1]}")
    wait_text(browser, "h1", "Encontre um prestador")
    check_screen(browser, "providers-public")
    link(browser, provider["legal_name"]).click()
    wait_text(browser, "main", "Rua das Acácias")
    assert link(browser, "Agendar").get_attribute("href").endswith(
        f"/providers/{provider['id']}/book")
    check_screen(browser, "provider-page")
    sign_out(browser)


def test_the_operator_pre_registers_a_provider_finds_it_and_publishes_a_bulletin(
        client, stack, browser, people, tmp_path):
    email = staff_member(client, stack.mail, ["operator"])
    sign_in(browser, client.base_url, email, PASSWORD)
    wait_text(browser, "h1", "Portal da operadora")
    assert "Prestadores" in menu(browser) and "Equipe" not in menu(browser)
    link(browser, "Prestadores").click()
    wait_text(browser, "h1", "Prestadores")
    name = f"Hospital Novo {uuid.uuid4().hex[:4]}"
    browser.fill("#document", new_cnpj())
    browser.fill("#legal_name", name)
    browser.fill("#email", f"hosp-{uuid.uuid4().hex[:6]}@ponte.test")
    browser.fill("#sites-0-name", "Unidade Centro")
    browser.fill("#sites-0-email", f"centro-{uuid.uuid4().hex[:6]}@ponte.test")
    button(browser, "Pré-cadastrar prestador").click()
    wait_text(browser, "main", "foi pré-cadastrado")
    browser.fill("#q", name.split()[1])
    browser.choose("#status", "invited")
    button(browser, "Procurar").click()
    wait_text(browser, "table", name)
    assert "Pré-cadastrado" in browser.find("table").text
    check_screen(browser, "operator-providers")

    link(browser, "Informativos").click()
    wait_text(browser, "h1", "Informativos")
    browser.fill("#title", "Nova tabela de procedimentos")
    browser.fill("#body", "A partir de janeiro vale a nova tabela.")
    browser.click("input[name=provider_types][value=clinic]")
    document = tmp_path / "tabela.png"
    document.write_bytes(PNG)
    browser.find("#files").send_keys(str(document))
    check_screen(browser, "bulletins-publish")
    button(browser, "Publicar").click()
    wait_text(browser, "main", "Informativo publicado")
    assert "tabela.png" in browser.find("main").text
    check_screen(browser, "bulletins-operator")
    sign_out(browser)

    provider = people.provider("Clínica Leitora", "clinic")
    sign_in(browser, client.base_url, provider["email"], PASSWORD)
    wait_text(browser, "h1", "Portal do prestador")
    link(browser, "Informativos").click()
    wait_text(browser, "main", "Nova tabela de procedimentos")
    check_screen(browser, "bulletins-provider")
    sign_out(browser)


def test_the_administrator_creates_a_staff_member_and_an_institution(client, browser):
    sign_in(browser, client.base_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    wait_text(browser, "h1", "Portal da operadora")
    link(browser, "Equipe").click()
    wait_text(browser, "h1", "Equipe")
    button(browser, "Criar conta da equipe").click()  # nothing filled: every error at once
    browser.visible("#error-summary")
    check_screen(browser, "team-errors")
    browser.fill("#name", "Gabriela Gestora")
    browser.fill("#email", f"gestora-{uuid.uuid4().hex[:6]}@ponte.test")
    browser.click("input[name=roles][value=manager]")
    button(browser, "Criar conta da equipe").click()
    wait_text(browser, "main", "Gabriela Gestora foi incluído(a) na equipe")
    account_id = browser.find(".saved .facts li:last-child .value").text
    check_screen(browser, "team-created")

    link(browser, "Instituições").click()
    wait_text(browser, "h1", "Instituições")
    acronym = f"S{uuid.uuid4().hex[:4].upper()}"
    browser.fill("#name", f"Secretaria de Saúde {acronym}")
    browser.fill("#acronym", acronym)
    button(browser, "Criar instituição").click()
    wait_text(browser, "main", "Instituição criada")
    field = browser.driver.find_element(
        "xpath", f"//article[.//h2[contains(., '{acronym}')]]//input[@name='account_id']")
    field.send_keys(account_id)
    field.find_element("xpath", "./ancestor::form//button").click()
    wait_text(browser, "main", "Gestor adicionado")
    check_screen(browser, "institutions")
    sign_out(browser)
