"""Seed 002's citizen and seed 003's patient in a real headless Chromium (issue 20): a citizen
finds a published service, fills its typed form with a file and sees the protocol; answers the
attendant's follow-up on screen; rates the request once it is concluded. A citizen books an
appointment at a provider, the provider sees it on its "Agendamentos" with the patient's file,
and the citizen cancels it. The institution's side acts through the API here (its screens are
tested with them); axe-core and screenshots on every screen."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.browser.test_portal import check_screen, sign_in, sign_out, wait_text
from tests.e2e.test_attendance import PASSWORD, World, iso
from tests.stack import new_cpf

API = "/api/v1"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FIELDS = [{"name": "cpf", "label": "CPF do requerente", "type": "cpf", "required": True},
          {"name": "birth", "label": "Data de nascimento", "type": "date", "required": True},
          {"name": "kind", "label": "Tipo de documento", "type": "choice", "required": True,
           "choices": ["RG", "CNH"]}]


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


@pytest.fixture(scope="module")
def office(world):
    """An institution, its manager and attendant, and a published service with three typed
    fields and a two-step checklist (made through the API)."""
    institution = world.institution()
    manager = world.manager_of(institution)
    attendant = world.attendant_of(institution, manager, "Ana Atendente")
    service = world.published_service(
        institution, manager, name=f"Segunda via de RG {uuid.uuid4().hex[:4]}",
        form_fields=FIELDS)
    assert len(service["steps"]) == 2
    return {"institution": institution, "manager": manager, "attendant": attendant,
            "service": service}


def a_file(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return str(path)


def set_value(browser, css: str, value: str) -> None:
    """A date or time input, typed the way its picker would fill it (ISO value)."""
    browser.driver.execute_script("arguments[0].value = arguments[1];", browser.find(css), value)


def link(browser, text: str):
    from selenium.webdriver.common.by import By
    return browser.driver.find_element(By.LINK_TEXT, text)


def test_a_citizen_requests_a_service_answers_a_follow_up_and_rates_it(client, browser, world,
                                                                       office, tmp_path):
    citizen = world.citizen()
    attendant, service = office["attendant"], office["service"]
    sign_in(browser, client.base_url, citizen["email"], citizen["password"])
    wait_text(browser, "h1", "Portal do cidadão")

    link(browser, "Serviços").click()
    wait_text(browser, "h1", "Serviços")
    browser.fill("#q", service["name"])
    browser.click("form[role=search] button")
    wait_text(browser, "main", "Serviços encontrados")
    check_screen(browser, "citizen-services")
    link(browser, service["name"]).click()
    wait_text(browser, "h1", service["name"])
    assert "Documento de identidade" in browser.find("main").text  # a requirement
    check_screen(browser, "citizen-service")

    link(browser, "Solicitar").click()
    wait_text(browser, "h1", service["name"])
    for label in ("CPF do requerente", "Data de nascimento", "Tipo de documento"):
        assert label in browser.find("main form").text
    browser.fill("#answers-cpf", "123")
    browser.find("#files").send_keys(a_file(tmp_path, "rg.pdf"))
    browser.click("main form button.primary")
    browser.visible("#error-summary")
    for name in ("cpf", "birth", "kind"):  # every error beside its field
        assert browser.find(f"#answers-{name}-error").text
    assert browser.find("#answers-cpf").get_attribute("value") == "123"
    assert "rg.pdf" in browser.find("ul.files").text  # the file is kept
    check_screen(browser, "citizen-service-form-errors")

    browser.fill("#answers-cpf", new_cpf())
    set_value(browser, "#answers-birth", "1990-05-17")
    browser.click("input[name='answers.kind'][value=CNH]")
    browser.click("main form button.primary")
    protocol = browser.visible("#protocol").text
    assert len(protocol) == 14 and protocol.isdigit()
    check_screen(browser, "citizen-request-sent")
    [request] = client.get(f"{API}/me/service-requests", token=citizen["token"]).json()["items"]
    assert request["protocol"] == protocol
    assert [a["filename"] for a in request["attachments"]] == ["rg.pdf"]
    assert request["answers"]["kind"] == "CNH"

    # the attendant analyses, approves to herself and writes a follow-up (through the API)
    link_to = f"{API}/service-requests/{request['id']}"
    token = attendant["token"]
    assert client.post(f"{link_to}/start-analysis", token=token).status_code == 200
    assert client.post(f"{link_to}/approve", token=token,
                       json={"attendant_id": attendant["id"]}).status_code == 200
    assert client.post(f"{link_to}/follow-ups", token=token,
                       json={"message": "Envie uma foto do documento."}).status_code == 201
    soon = datetime.now(UTC) + timedelta(minutes=20)
    meeting = client.post(f"{link_to}/meetings", token=token, json={
        "starts_at": iso(soon), "subject": "Conferência de dados"}).json()

    browser.open(client.base_url + "/my-requests")
    wait_text(browser, "h1", "Minhas solicitações")
    wait_text(browser, "main", "Em atendimento")
    check_screen(browser, "citizen-my-requests")
    link(browser, protocol).click()
    wait_text(browser, "#follow-ups-section", "Envie uma foto do documento.")
    if soon.astimezone(SAO_PAULO).date() == datetime.now(SAO_PAULO).date():
        join = browser.find(f"a[href='{meeting['join_url']}']")
        assert join.text.startswith("Acessar")
    browser.fill("#message", "Segue a foto.")
    browser.find("#files").send_keys(a_file(tmp_path, "foto.pdf"))
    check_screen(browser, "citizen-request-follow-up")
    browser.click("form[action$='/follow-ups'] button.primary")
    wait_text(browser, "#follow-ups-section", "Segue a foto.")
    history = client.get(f"{link_to}/follow-ups", token=token).json()["items"]
    assert [(h["message"], h["author"]["side"]) for h in history] == [
        ("Envie uma foto do documento.", "attendant"), ("Segue a foto.", "citizen")]
    assert [a["filename"] for a in history[1]["attachments"]] == ["foto.pdf"]
    assert "foto.pdf" in browser.find("#follow-ups-section").text
    assert not browser.driver.find_elements("css selector", "form[action$='/rating']")

    assert client.post(f"{link_to}/conclude", token=token,
                       json={"note": "Documento emitido."}).status_code == 200
    browser.open(f"{client.base_url}/my-requests/{request['id']}")
    wait_text(browser, "#request-status", "Concluída")
    assert not browser.driver.find_elements("css selector", "form[action$='/follow-ups']")
    browser.click("input[name=score][value='4']")
    browser.fill("#comment", "Atendimento rápido")
    check_screen(browser, "citizen-rating")
    browser.click("form[action$='/rating'] button.primary")
    wait_text(browser, "#your-rating", "4 de 5")
    assert not browser.driver.find_elements("css selector", "form[action$='/rating']")
    rating = client.get(link_to, token=citizen["token"]).json()["rating"]
    assert rating == {"score": 4, "comment": "Atendimento rápido", "status": "pending"}
    check_screen(browser, "citizen-rated")
    sign_out(browser)


def test_a_citizen_books_at_a_provider_who_sees_it_and_the_citizen_cancels(client, browser,
                                                                          browser_factory,
                                                                          world, tmp_path):
    provider = world.provider()  # its profile complete: it takes bookings
    citizen = world.citizen()
    sign_in(browser, client.base_url, citizen["email"], citizen["password"])
    wait_text(browser, "h1", "Portal do cidadão")
    browser.open(f"{client.base_url}/providers/{provider['id']}/book")
    wait_text(browser, "h1", "Agendar atendimento")
    day = (datetime.now(SAO_PAULO) + timedelta(days=2)).date()
    set_value(browser, "#date", day.isoformat())
    set_value(browser, "#time", "10:30")
    browser.fill("#notes", "Dor de dente")
    browser.find("#files").send_keys(a_file(tmp_path, "exame.pdf"))
    check_screen(browser, "citizen-book")
    browser.click("main form button.primary")
    browser.visible("#booked")
    assert "10:30" in browser.find("main").text
    check_screen(browser, "citizen-appointment")
    [booked] = client.get(f"{API}/me/appointments", token=citizen["token"]).json()["items"]
    assert booked["starts_at"] == iso(datetime.combine(
        day, datetime.strptime("10:30", "%H:%M").time(), SAO_PAULO))

    studio = browser_factory()
    sign_in(studio, client.base_url, provider["email"], PASSWORD)
    wait_text(studio, "h1", "Portal do prestador")
    link(studio, "Agendamentos").click()
    wait_text(studio, "h1", "Agendamentos")
    wait_text(studio, "main", "Cida Cidadã")
    assert "Dor de dente" in studio.find("main").text
    file_link = link(studio, "exame.pdf")
    assert file_link.get_attribute("href").endswith(
        f"/attachments/{booked['attachments'][0]['id']}")
    check_screen(studio, "provider-appointments")
    cookies = {c["name"]: c["value"] for c in studio.driver.get_cookies()}
    download = requests.get(file_link.get_attribute("href"), cookies=cookies, timeout=10)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")

    link(browser, "Agendamentos").click()
    wait_text(browser, "h1", "Agendamentos")
    wait_text(browser, "main", "Agendado")
    check_screen(browser, "citizen-my-appointments")
    browser.click("form[action$='/cancel'] button")
    wait_text(browser, "main", "Cancelado")
    assert not browser.driver.find_elements("css selector", "form[action$='/cancel']")
    assert client.get(f"{API}/appointments/{booked['id']}",
                      token=citizen["token"]).json()["cancelled_by"] == "citizen"

    studio.open(studio.driver.current_url)
    wait_text(studio, "main", "Cancelado")
    assert not studio.driver.find_elements("css selector", "form[action$='/cancel']")
    sign_out(browser)
