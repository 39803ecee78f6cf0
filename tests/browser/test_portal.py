"""The portal's foundation in a real headless Chromium (issue 18): create an account, sign in by
e-mail, CPF and CNPJ, "Mantenha-me conectado" across a browser restart, "Sair" (the old cookie
replayed opens nothing), a pop-up arriving while a screen is open, a form posted from another
origin refused; axe-core on every screen and screenshots at 390 and 1280 px."""
from __future__ import annotations

import uuid

import pytest

from tests.e2e.notifications_helpers import People
from tests.e2e.test_relationships import PASSWORD
from tests.stack import new_cpf, wait_until

CITIZEN_PASSWORD = "Cidada#2026"  # nosec B105 # a test account's password


@pytest.fixture(scope="module")
def people(stack):
    return People(stack.client, stack.mail)


def wait_text(browser, css: str, text: str, timeout: float = 15) -> None:
    """Until the element holds ``text``, across the page being replaced by a navigation."""
    from selenium.common.exceptions import WebDriverException

    def holds() -> bool:
        try:
            return text in browser.find(css).text
        except WebDriverException:  # not there yet, or the page is being replaced
            return False
    wait_until(holds, timeout, what=f"{text!r} in {css}")


def check_screen(browser, name: str) -> None:
    """What every screen must pass: no serious or critical axe violation, no CSP violation,
    usable on a phone; its screenshots at phone and desktop width."""
    assert browser.accessibility_problems() == []
    assert browser.csp_violations() == []
    assert browser.page_width_fits()
    browser.screenshots(name)


def sign_in(browser, base_url: str, login: str, password: str, remember: bool = False) -> None:
    browser.open(base_url + "/sign-in")
    browser.fill("#login", login)
    browser.fill("#password", password)
    if remember:
        browser.click("#remember_me")
    form = browser.find("main form")
    browser.click("main button[type=submit]")
    # the answer's page has replaced the form before the test goes on: a page opened meanwhile
    # would be replaced by the sign-in's late redirect
    wait_until(lambda: browser.replaced(form), 10, what="the sign-in to answer")


def sign_out(browser) -> None:
    browser.click("form[action='/sign-out'] button")
    browser.visible("#login")


def test_a_citizen_signs_up_signs_out_and_signs_in_by_e_mail_and_by_cpf(client, browser):
    base = client.base_url
    browser.open(base + "/")
    assert browser.driver.current_url == base + "/sign-in"
    assert browser.find("main button[type=submit]").text == "Entrar"
    check_screen(browser, "sign-in")

    browser.click("a[href='/sign-up']")
    assert browser.find("h1").text == "Criar uma conta"
    browser.click("main button[type=submit]")  # nothing filled: every error at once
    summary = browser.visible("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert len(summary.find_elements("css selector", "li")) >= 4
    check_screen(browser, "sign-up-errors")

    email, cpf = f"cid-{uuid.uuid4().hex[:8]}@ponte.test", new_cpf()
    browser.click("input[name=kind][value=citizen]")
    browser.fill("#name", "Cecília Cidadã")
    browser.fill("#cpf", cpf)
    browser.fill("#email", email)
    browser.fill("#password", CITIZEN_PASSWORD)
    browser.fill("#password_confirmation", CITIZEN_PASSWORD)
    browser.click("#accepted_terms")
    browser.click("main button[type=submit]")
    wait_text(browser, "h1", "Portal do cidadão")
    assert "Cecília Cidadã" in browser.find(".who").text
    check_screen(browser, "home-citizen")

    sign_out(browser)
    sign_in(browser, base, email, "Wrong#pass1")
    alert = browser.visible("#sign-in-alert")
    assert alert.get_attribute("role") == "alert" and "incorretos" in alert.text
    assert browser.find("#password").get_attribute("value") == ""
    assert browser.find("#login").get_attribute("value") == email
    check_screen(browser, "sign-in-wrong-password")

    sign_in(browser, base, cpf, CITIZEN_PASSWORD)
    wait_text(browser, "h1", "Portal do cidadão")
    sign_out(browser)


def test_a_provider_signs_in_by_cnpj_and_a_signed_out_address_comes_back(client, browser,
                                                                            people):
    provider = people.provider("Clínica Sorriso", "clinic")
    cnpj = client.get("/api/v1/me", token=provider["token"]).json()["provider"]["document"]
    browser.open(client.base_url + "/notifications/preferences")
    assert "/sign-in?next=" in browser.driver.current_url
    browser.fill("#login", cnpj)
    browser.fill("#password", PASSWORD)
    browser.click("main button[type=submit]")
    wait_text(browser, "h1", "Preferências de notificação")
    assert browser.driver.current_url == client.base_url + "/notifications/preferences"
    check_screen(browser, "notification-preferences")
    browser.open(client.base_url + "/")
    wait_text(browser, "h1", "Portal do prestador")
    check_screen(browser, "home-provider")
    sign_out(browser)


def test_keep_me_signed_in_survives_a_browser_restart_and_a_session_does_not(client,
                                                                             browser_factory,
                                                                             people):
    secretary = people.secretary("Rita Lembrada")
    kept = browser_factory()
    sign_in(kept, client.base_url, secretary["email"], PASSWORD, remember=True)
    wait_text(kept, "h1", "Portal da secretária")
    kept.restart()
    kept.open(client.base_url + "/notifications")
    wait_text(kept, "h1", "Notificações")

    brief = browser_factory()
    sign_in(brief, client.base_url, secretary["email"], PASSWORD)
    wait_text(brief, "h1", "Portal da secretária")
    brief.restart()
    brief.open(client.base_url + "/notifications")
    assert "/sign-in" in brief.driver.current_url


def test_sign_out_revokes_so_the_old_cookie_replayed_opens_nothing(client, browser, people):
    secretary = people.secretary("Sara Saída")
    sign_in(browser, client.base_url, secretary["email"], PASSWORD)
    wait_text(browser, "h1", "Portal da secretária")
    [cookie] = [c for c in browser.driver.get_cookies() if c["name"] == "ponte_session"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert browser.driver.execute_script("return document.cookie").find("ponte_session") == -1
    sign_out(browser)
    browser.driver.add_cookie({k: cookie[k] for k in ("name", "value", "path", "httpOnly")})
    browser.open(client.base_url + "/notifications")
    assert "/sign-in" in browser.driver.current_url


def test_a_pop_up_arrives_while_a_screen_is_open(client, browser, people):
    provider = people.provider("Clínica Aviso", "clinic")
    other = people.provider("Laboratório Aviso", "laboratory")
    secretary = people.secretary("Paula Popup")
    people.relate(provider, secretary, ["authorizations"])
    people.relate(other, secretary, ["billing"])
    sign_in(browser, client.base_url, secretary["email"], PASSWORD)
    browser.open(client.base_url + "/notifications/preferences")
    assert browser.find("#acting-for")  # "Atuando por": she acts for two providers
    before = int(browser.find("#unread-count").text)
    wait_until(lambda: browser.driver.find_elements("css selector", "#popups[data-stream=open]"),
               10, what="the page to open its stream")
    inviting = people.provider("Clínica Convite", "clinic")
    people.invite(inviting, secretary, ["billing"])
    popup = browser.visible("#popups .popup", timeout=10)
    assert popup.text
    assert browser.find("#popups").get_attribute("role") == "status"
    assert browser.find("#popups").get_attribute("aria-live") == "polite"
    wait_text(browser, "#unread-count", str(before + 1))
    assert browser.find("h1").text == "Preferências de notificação"  # no reload
    check_screen(browser, "pop-up")
    browser.click("#inbox-link")
    wait_text(browser, "h1", "Notificações")
    check_screen(browser, "notifications")
    browser.click("form[action='/notifications/read-all'] button")
    wait_text(browser, "#unread-count", "0")
    sign_out(browser)


def test_a_form_posted_from_another_origin_is_refused(client, browser, people):
    secretary = people.secretary("Flora Forjada")
    sign_in(browser, client.base_url, secretary["email"], PASSWORD)
    wait_text(browser, "h1", "Portal da secretária")
    # a page of another origin holds a form that posts to the portal
    browser.driver.get("data:text/html;charset=utf-8,<form method=post action='"
                       + client.base_url + "/sign-out'><button id=forged>Go</button></form>")
    browser.click("#forged")
    wait_until(lambda: "/sign-out" in browser.driver.current_url, 10, what="the forged post")
    wait_text(browser, "main", "não foi enviado por este site")
    browser.open(client.base_url + "/")
    wait_text(browser, "h1", "Portal da secretária")  # still signed in
    sign_out(browser)


@pytest.mark.parametrize("path, name", [("/terms", "terms"), ("/forgot-password", "forgot"),
                                        ("/registration?token=gone", "link-gone"),
                                        ("/sign-up", "sign-up")])
def test_the_signed_out_screens_pass_axe(client, browser, path, name):
    browser.open(client.base_url + path)
    check_screen(browser, name)


def page_language(browser) -> str | None:
    from selenium.common.exceptions import WebDriverException
    try:
        return browser.driver.find_element("tag name", "html").get_attribute("lang")
    except WebDriverException:  # the page is being replaced
        return None


def test_the_language_chosen_on_screen_is_kept(client, browser):
    browser.open(client.base_url + "/sign-in")
    browser.choose("#language", "it")
    browser.click("form[action='/language'] button")
    wait_until(lambda: page_language(browser) == "it", 10, what="the page in Italian")
    assert browser.find("main button[type=submit]").text == "Accedi"
    browser.open(client.base_url + "/forgot-password")
    assert browser.find("h1").text == "Ha dimenticato la password?"
    browser.choose("#language", "pt-BR")
    browser.click("form[action='/language'] button")
    wait_until(lambda: page_language(browser) == "pt-BR", 10, what="the page in Portuguese")
    assert browser.find("h1").text == "Esqueceu sua senha?"
