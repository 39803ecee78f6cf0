"""Links that have run out: the pages say so in HTML. Time passes by restarting the same
``ponte up`` (same data) with ``PONTE_CLOCK_OFFSET_DAYS``, which shifts ``ponte.clock.now``."""
from __future__ import annotations

from tests.browser.conftest import link_in
from tests.browser.test_pages import (
    INVITATION,
    RESET,
    RIGHT,
    new_staff,
    operator_token,
    unique_email,
)
from tests.stack import new_cnpj

OFFSET_DAYS = "8"  # past the 7 days of an invitation and the hour of a reset link


def test_expired_registration_and_password_links_show_a_page_saying_so(stack, client, mail,
                                                                         browser):
    operator = operator_token(client, mail)
    clinic = unique_email("clinic")
    assert client.post("/api/v1/providers", token=operator, json={
        "document": new_cnpj(), "legal_name": "Clínica Tardia", "email": clinic}
    ).status_code == 201
    registration = link_in(mail, clinic, INVITATION)
    staff_email, setup = new_staff(client, mail, ["auditor"])
    active_email, first_setup = new_staff(client, mail, ["operator"])
    assert client.post("/api/v1/password-resets/" + first_setup.rsplit("token=", 1)[1], json={
        "password": RIGHT, "password_confirmation": RIGHT}).status_code == 204
    assert client.post("/api/v1/password-resets", json={"email": active_email}
                       ).status_code == 202
    reset = link_in(mail, active_email, RESET)

    browser.open(registration)  # still valid today
    assert browser.find("h1").text == "Concluir cadastro"

    stack.stop_process("ponte-up")
    stack.start_process("ponte-up", "up", env={"PONTE_CLOCK_OFFSET_DAYS": OFFSET_DAYS})
    stack.wait_ready()

    browser.open(registration)
    assert "token" not in browser.driver.current_url
    assert browser.find("h1").text == "Link inválido ou expirado"
    assert "expirou" in browser.find("main").text
    browser.screenshots("link-expired")
    answer = client.get("/registration?token=" + registration.rsplit("token=", 1)[1])
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/html")

    for link in (setup, reset):
        browser.open(link)
        assert "token" not in browser.driver.current_url
        assert browser.find("h1").text == "Link inválido ou expirado"
        assert "/forgot-password" in browser.find("main a").get_attribute("href")
    assert browser.csp_violations() == []
    assert client.post("/api/v1/sessions", json={
        "login": staff_email, "password": RIGHT}).status_code == 401
