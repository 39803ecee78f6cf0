"""The pages behind the e-mail links, used in a real headless Chromium as a person would:
open the link from the .eml, fill the form wrongly then rightly, see the success page, then
sign in through the API (issue 11)."""
from __future__ import annotations

import re
import uuid

from tests.browser.conftest import link_in
from tests.stack import ADMIN_EMAIL, ADMIN_PASSWORD, new_cnpj, new_cpf, wait_until

INVITATION, STAFF_SETUP, RESET = "convite", "defina sua senha", "redefini"
WRONG, RIGHT = "abc", "Clinic#2026"


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@ponte.test"


def new_staff(client, mail, roles: list[str]) -> tuple[str, str]:
    """(e-mail, set-up link) of a staff member an admin has just created."""
    admin = client.token(ADMIN_EMAIL, ADMIN_PASSWORD)
    email = unique_email("staff")
    created = client.post("/api/v1/staff", token=admin,
                          json={"email": email, "name": "Olga Operadora", "roles": roles})
    assert created.status_code == 201, created.text
    return email, link_in(mail, email, STAFF_SETUP)


def operator_token(client, mail) -> str:
    email, link = new_staff(client, mail, ["operator"])
    token = link.rsplit("token=", 1)[1]
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": RIGHT, "password_confirmation": RIGHT}).status_code == 204
    return client.token(email, RIGHT)


def fill_passwords(browser, password: str, confirmation: str | None = None) -> None:
    browser.fill("#password", password)
    browser.fill("#password_confirmation", confirmation if confirmation is not None
                 else password)


def rules_met(browser) -> dict[str, bool]:
    return {item.get_attribute("data-rule"): "met" in item.get_attribute("class")
            for item in browser.driver.find_elements("css selector", "#policy li")}


def assert_token_left_the_address(browser) -> None:
    assert "token" not in browser.driver.current_url, browser.driver.current_url


def test_provider_completes_registration_from_the_invitation(client, mail, browser):
    operator = operator_token(client, mail)
    email, cnpj = unique_email("clinic"), new_cnpj()
    created = client.post("/api/v1/providers", token=operator, json={
        "document": cnpj, "legal_name": "Clínica Sorriso & Filhos", "email": email})
    assert created.status_code == 201, created.text

    browser.open(link_in(mail, email, INVITATION))
    assert_token_left_the_address(browser)
    assert browser.driver.find_element("tag name", "html").get_attribute("lang") == "pt-BR"
    assert browser.find("h1").text == "Concluir cadastro"
    formatted = f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
    assert browser.find("#document").text == formatted
    assert "Clínica Sorriso & Filhos" in browser.find(".prefilled").text
    assert browser.find("#login-email").text == email
    types = [o.text for o in browser.driver.find_elements("css selector", "#provider_type option")]
    assert types[1:] == ["Consultório/Clínica", "Cooperativa", "Fornecedor", "Hospital",
                         "Laboratório", "Dentista"]
    assert browser.find("a[href='/terms']").is_displayed()
    assert browser.page_width_fits()
    browser.screenshots("registration")

    # a wrong password: the policy shows what is missing as it is typed, the API refuses it
    browser.choose("#provider_type", "clinic")
    fill_passwords(browser, WRONG, WRONG + "x")
    assert rules_met(browser) == {"length": False, "letter": True, "digit": False,
                                  "special": False}
    assert "não conferem" in browser.find("#password_confirmation-match").text
    browser.click("#accepted_terms")
    browser.click("button[type=submit]")
    summary = browser.visible("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert browser.text_in("#password_confirmation-error", "Não confere com a senha.")
    browser.fill("#password_confirmation", WRONG)
    browser.click("button[type=submit]")
    assert "Use ao menos 6 caracteres." in browser.text_in("#password-error", "6 caracteres")
    assert "Inclua ao menos um número." in browser.find("#password-error").text
    assert browser.find("#password").get_attribute("aria-invalid") == "true"
    assert "Senha: Use ao menos 6 caracteres." in summary.text
    browser.screenshots("registration-errors")

    # the right one
    fill_passwords(browser, RIGHT)
    assert all(rules_met(browser).values())
    assert browser.find("#password_confirmation-match").text == "As senhas conferem."
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    assert browser.find("#done-title").text == "Cadastro concluído no Ponte"
    assert browser.find("[data-slot=login]").text == email
    assert formatted in browser.find("#done-view").text
    assert not browser.find("#form-view").is_displayed()
    browser.screenshots("registration-done")
    assert browser.csp_violations() == []

    # signing in works with the e-mail, and with the CNPJ of a single-site provider
    session = client.login(email, RIGHT)
    assert session["account"]["kind"] == "provider"
    assert client.login(cnpj, RIGHT)["account"]["id"] == session["account"]["id"]
    me = client.get("/api/v1/me", token=session["access_token"]).json()
    assert me["provider"]["provider_type"] == "clinic"

    # the link is used now: the page says so, in HTML
    browser.open(link_in(mail, email, INVITATION))
    assert browser.find("h1").text == "Link inválido ou expirado"
    assert browser.csp_violations() == []
    browser.screenshots("link-used")


def test_individual_provider_gives_sex_and_sees_errors_next_to_fields(client, mail, browser):
    operator = operator_token(client, mail)
    email, cpf = unique_email("dentist"), new_cpf()
    assert client.post("/api/v1/providers", token=operator, json={
        "document": cpf, "legal_name": "Dra. Ana Lima", "email": email}).status_code == 201

    browser.open(link_in(mail, email, INVITATION))
    assert browser.find("#document").text == f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert "CPF" in browser.find(".prefilled").text
    # the API judges in two steps (form at the gateway, then identity's rules); each error is
    # shown next to its field and in the summary
    browser.fill("#secondary_email", "not-an-address")
    browser.click("button[type=submit]")
    browser.visible("#error-summary")
    assert browser.text_in("#secondary_email-error", "Informe um e-mail válido.")
    assert browser.text_in("#accepted_terms-error", "É preciso aceitar os termos de uso.")
    browser.fill("#secondary_email", unique_email("ana"))
    browser.click("#accepted_terms")
    fill_passwords(browser, "Sorriso#1")
    browser.click("button[type=submit]")
    assert browser.text_in("#provider_type-error", "Campo obrigatório.")
    assert browser.text_in("#sex-error", "Campo obrigatório.")
    assert browser.find("#secondary_email-error").text == ""
    assert "Tipo de prestador: Campo obrigatório." in browser.find("#error-summary").text
    assert "Sexo: Campo obrigatório." in browser.find("#error-summary").text
    browser.screenshots("registration-individual-errors")

    browser.choose("#provider_type", "dentist")
    browser.click("input[name=sex][value=female]")
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    assert client.login(cpf, "Sorriso#1")["account"]["email"] == email
    me = client.get("/api/v1/me", token=client.token(email, "Sorriso#1")).json()
    assert me["sex"] == "female"


def test_staff_sets_the_password_from_the_set_up_link(client, mail, browser):
    email, link = new_staff(client, mail, ["auditor"])
    browser.open(link)
    assert_token_left_the_address(browser)
    assert browser.find("h1").text == "Definir senha"
    assert browser.page_width_fits()
    browser.screenshots("password-reset")

    fill_passwords(browser, "abcdef")
    assert rules_met(browser) == {"length": True, "letter": True, "digit": False,
                                  "special": False}
    browser.click("button[type=submit]")
    assert browser.text_in("#password-error", "Inclua ao menos um número.")

    fill_passwords(browser, "Auditor#2026")
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    assert browser.find("#done-title").text == "Senha definida"
    when = browser.find("[data-slot=when]").text
    assert " às " in when and when[2] == "/" and when[5] == "/", when  # 01/12/2026 às 11:04
    browser.screenshots("password-reset-done")
    assert client.login(email, "Auditor#2026")["account"]["kind"] == "staff"

    # the same link again: the page says at once that it is used
    browser.open(link)
    assert browser.find("h1").text == "Link inválido ou expirado"
    assert browser.find("a[href='/forgot-password']").is_displayed()
    assert browser.csp_violations() == []


def test_a_link_used_elsewhere_while_the_form_is_open(client, mail, browser):
    """Used in another tab after this page opened: sending the form shows the "gone" view."""
    email, link = new_staff(client, mail, ["auditor"])
    browser.open(link)
    token = link.rsplit("token=", 1)[1]
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": "Other#2026", "password_confirmation": "Other#2026"}).status_code == 204
    fill_passwords(browser, "Another#2026")
    browser.click("button[type=submit]")
    browser.visible("#gone-view")
    assert browser.find("#gone-title").text == "Link inválido ou expirado"
    assert browser.find("#gone-view a[href='/forgot-password']").is_displayed()
    assert client.login(email, "Other#2026")["account"]["kind"] == "staff"
    assert browser.csp_violations() == []


def test_forgot_password_then_reset_from_the_e_mail(client, mail, browser):
    email, link = new_staff(client, mail, ["operator"])
    token = link.rsplit("token=", 1)[1]
    assert client.post(f"/api/v1/password-resets/{token}", json={
        "password": "First#2026", "password_confirmation": "First#2026"}).status_code == 204

    browser.open(client.base_url + "/forgot-password")
    assert browser.find("h1").text == "Esqueceu sua senha?"
    assert browser.page_width_fits()
    browser.screenshots("forgot-password")
    browser.fill("#email", "not an address")
    browser.click("button[type=submit]")
    assert browser.text_in("#email-error", "Informe um e-mail válido.")
    browser.fill("#email", email)
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    browser.screenshots("forgot-password-done")

    browser.open(link_in(mail, email, RESET))
    assert_token_left_the_address(browser)
    fill_passwords(browser, "Second#2026")
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    assert client.login(email, "Second#2026")["account"]["email"] == email
    assert client.post("/api/v1/sessions", json={
        "login": email, "password": "First#2026"}).status_code == 401


def test_unknown_link_and_terms(client, browser):
    browser.open(client.base_url + "/registration?token=" + "x" * 43)
    assert browser.find("h1").text == "Link inválido ou expirado"
    browser.screenshots("link-unknown")
    browser.open(client.base_url + "/terms")
    assert browser.find("h1").text == "Termos e condições de uso"
    assert "01/12/2026" in browser.find(".terms").text
    assert browser.page_width_fits()
    browser.screenshots("terms")
    assert browser.csp_violations() == []


def test_pages_follow_the_browser_language(client, mail, browser_factory):
    italian = browser_factory("it-IT")
    email, link = new_staff(client, mail, ["auditor"])
    italian.open(link)
    assert italian.driver.find_element("tag name", "html").get_attribute("lang") == "it"
    assert italian.find("h1").text == "Imposta la password"
    fill_passwords(italian, "abc")
    italian.click("button[type=submit]")
    assert italian.text_in("#password-error", "Usi almeno 6 caratteri.")
    fill_passwords(italian, "Revisore#1")
    italian.click("button[type=submit]")
    italian.visible("#done-view")
    assert " alle " in italian.find("[data-slot=when]").text

    english = browser_factory("en-US")
    english.open(client.base_url + "/forgot-password")
    assert english.find("h1").text == "Forgot your password?"
    english.screenshots("forgot-password-en")


def test_forms_work_without_javascript(client, mail, browser_factory):
    """Progressive enhancement: with scripts off the form posts to the page, which passes it
    to the same JSON API."""
    plain = browser_factory("pt-BR")
    plain.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    email, link = new_staff(client, mail, ["auditor"])
    plain.open(link)
    assert "token=" in plain.driver.current_url  # no script ran to take it out
    fill_passwords(plain, "abc")
    plain.click("button[type=submit]")
    plain.visible("#error-summary")
    assert "Use ao menos 6 caracteres." in plain.find("#password-error").text
    fill_passwords(plain, "Plain#2026")
    plain.click("button[type=submit]")
    plain.visible("#done-view")
    assert client.login(email, "Plain#2026")["account"]["email"] == email


def test_sites_sharing_an_e_mail_each_give_their_own(client, mail, browser):
    """003: a clinic with several sites and one address; each site's link asks for an e-mail
    of its own, which becomes that site's login."""
    operator = operator_token(client, mail)
    shared = unique_email("network")
    assert client.post("/api/v1/providers", token=operator, json={
        "document": new_cnpj(), "legal_name": "Rede Sorriso", "email": shared,
        "sites": [{"name": "Unidade Centro", "email": shared},
                  {"name": "Unidade Norte", "email": shared}]}).status_code == 201
    def invitations():
        found = [re.search(r"^(https?://\S+\?token=\S+)$", mail.body(m), re.M)
                 for m in mail.messages(shared)]
        found = [link.group(1) for link in found if link]
        return found if len(found) >= 2 else None
    links = wait_until(invitations, 20, what="one invitation per site")
    assert len(links) == 2

    own = unique_email("centro")
    browser.open(links[0])
    assert "Unidade" in browser.find(".prefilled").text
    assert browser.find("#email").get_attribute("type") == "email"
    browser.choose("#provider_type", "clinic")
    fill_passwords(browser, RIGHT)
    browser.click("#accepted_terms")
    browser.click("button[type=submit]")
    assert browser.text_in("#email-error", "informe um e-mail próprio")
    browser.fill("#email", own)
    browser.click("button[type=submit]")
    browser.visible("#done-view")
    assert browser.find("[data-slot=login]").text == own
    browser.screenshots("registration-site-done")
    assert client.login(own, RIGHT)["account"]["kind"] == "provider"

    browser.open(links[1])  # the provider type is set by the first site now
    assert "Consultório/Clínica" in browser.find("#form-view").text
    assert not browser.driver.find_elements("css selector", "select#provider_type")
