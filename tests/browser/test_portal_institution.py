"""Seed 002's story for the institution, in a real headless Chromium (issue 20): the admin sets
up an institution and its manager (through the API); the manager writes a service with three
typed fields and a two-step checklist and publishes it; a servant asks for attendant access and
the manager approves; a citizen submits (through the API); the attendant analyses, approves
("Sim, aprovar!"), ticks the checklist, writes a follow-up the citizen answers, schedules a
video meeting and concludes; the citizen rates; another attendant moderates the comment; the
day's agenda is downloaded as CSV and read back. axe-core and screenshots on every screen."""
from __future__ import annotations

import csv
import io
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_portal import check_screen, sign_in, sign_out, wait_text
from tests.e2e.test_attendance import API, PASSWORD, World, answers
from tests.stack import wait_until

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(scope="module")
def world(stack):
    return World(stack.client, stack.mail)


def link(browser, text: str) -> None:
    from selenium.webdriver.common.by import By
    browser.driver.find_element(By.XPATH, f"//main//a[normalize-space()='{text}'] | "
                                          f"//nav//a[normalize-space()='{text}']").click()


def button(browser, text: str) -> None:
    from selenium.webdriver.common.by import By
    found = browser.driver.find_elements(
        By.XPATH, f"//main//button[normalize-space(text())='{text}']")
    next(element for element in found if element.is_displayed()).click()


def set_value(browser, css: str, value: str) -> None:
    """A date or time input, whose typing order depends on the browser's locale."""
    browser.driver.execute_script("arguments[0].value = arguments[1];", browser.find(css), value)


def test_seed_002_the_institution_serves_a_request_from_charter_to_moderated_rating(
        client, browser, world):
    base = client.base_url
    institution = world.institution("Secretaria de Estado da Saúde")
    manager = world.manager_of(institution)
    servant = world.staff(["servant"], "Bruno Servidor")
    carla = world.attendant_of(institution, manager, "Carla Atendente")

    # -- the manager writes the service and publishes it ---------------------------------
    sign_in(browser, base, manager["email"], PASSWORD)
    wait_text(browser, "nav", "Carta de serviços")
    link(browser, "Carta de serviços")
    wait_text(browser, "h1", "Carta de serviços")
    check_screen(browser, "institution-charter-empty")
    link(browser, "Novo serviço")
    wait_text(browser, "h1", "Novo serviço")
    button(browser, "Salvar")  # nothing typed: every error at once, beside its field
    browser.visible("#error-summary")
    assert browser.find("#name-error").text
    check_screen(browser, "institution-service-errors")

    browser.fill("#name", "Segunda via de certidão")
    browser.fill("#description", "Emissão de segunda via de certidão de nascimento.")
    browser.fill("#audience", "Cidadãos nascidos em Rondônia")
    browser.fill("#requirements", "Documento de identidade")
    browser.fill("#form_fields-0-label", "CPF do requerente")
    browser.choose("#form_fields-0-type", "cpf")
    browser.click("#form_fields-0-required")
    button(browser, "Adicionar campo")
    wait_text(browser, "main", "Campo 2")
    browser.fill("#form_fields-1-label", "Data de nascimento")
    browser.choose("#form_fields-1-type", "date")
    button(browser, "Adicionar campo")
    wait_text(browser, "main", "Campo 3")
    browser.fill("#form_fields-2-label", "Tipo de certidão")
    browser.choose("#form_fields-2-type", "choice")
    browser.fill("#form_fields-2-choices", "Nascimento\nCasamento")
    browser.click("#form_fields-2-required")
    browser.fill("#steps-0-title", "Documentos conferidos")
    button(browser, "Adicionar etapa")
    wait_text(browser, "main", "Etapa 2")
    assert browser.find("#form_fields-2-label").get_attribute("value") == "Tipo de certidão"
    browser.fill("#steps-1-title", "Dados conferidos")
    check_screen(browser, "institution-service-new")
    button(browser, "Salvar")
    wait_text(browser, "main", "O serviço foi salvo.")
    assert "Rascunho" in browser.find("main").text
    check_screen(browser, "institution-service-edit")
    button(browser, "Publicar")
    wait_text(browser, "main", "Publicado")
    check_screen(browser, "institution-charter")
    services = client.get(f"{API}/institutions/{institution['id']}/services",
                          token=manager["token"]).json()["items"]
    service = services[0]
    assert service["status"] == "published"
    assert [(f["label"], f["type"], f["required"]) for f in service["form_fields"]] == [
        ("CPF do requerente", "cpf", True), ("Data de nascimento", "date", False),
        ("Tipo de certidão", "choice", True)]
    assert [s["title"] for s in service["steps"]] == ["Documentos conferidos",
                                                      "Dados conferidos"]
    sign_out(browser)

    # -- a servant asks for attendant access; the manager approves ----------------------
    sign_in(browser, base, servant["email"], PASSWORD)
    wait_text(browser, "nav", "Solicitar acesso de atendente")
    link(browser, "Solicitar acesso de atendente")
    wait_text(browser, "h1", "Solicitar acesso de atendente")
    browser.choose("#institution_id", institution["id"])
    browser.fill("#message", "Lotado no setor de certidões")
    check_screen(browser, "institution-access-ask")
    button(browser, "Enviar solicitação")
    wait_text(browser, "main", "Sua solicitação foi enviada")
    check_screen(browser, "institution-access-sent")
    link(browser, "Painel")  # not an attendant until a manager approves
    wait_text(browser, "main", "Você ainda não é atendente de nenhuma instituição.")
    check_screen(browser, "institution-none")
    sign_out(browser)

    sign_in(browser, base, manager["email"], PASSWORD)
    wait_text(browser, "nav", "Atendentes")
    link(browser, "Atendentes")
    wait_text(browser, "main", "Bruno Servidor")
    check_screen(browser, "institution-attendants")
    button(browser, "Aprovar")
    wait_text(browser, "main .records", "Aprovada")
    sign_out(browser)

    # -- a citizen submits (through the API) ----------------------------------------------
    citizen = world.citizen()
    upload = client.post(f"{API}/uploads", token=citizen["token"], files={
        "file": ("certidao.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert upload.status_code == 201, upload.text
    names = {f["label"]: f["name"] for f in service["form_fields"]}
    filled = answers()
    submitted = client.post(f"{API}/services/{service['id']}/requests", token=citizen["token"],
                            json={"answers": {names["CPF do requerente"]: filled["cpf"],
                                              names["Data de nascimento"]: "1990-05-17",
                                              names["Tipo de certidão"]: "Nascimento"},
                                  "attachment_ids": [upload.json()["id"]]})
    assert submitted.status_code == 201, submitted.text
    request = submitted.json()

    # -- the attendant serves it ------------------------------------------------------------
    sign_in(browser, base, servant["email"], PASSWORD)
    wait_text(browser, "nav", "Painel")
    link(browser, "Painel")
    wait_text(browser, "main", request["protocol"])
    check_screen(browser, "institution-panel")
    link(browser, request["protocol"])
    wait_text(browser, "h1", request["protocol"])
    assert "CPF do requerente" in browser.find("main").text
    assert "certidao.pdf" in browser.find("main").text
    check_screen(browser, "institution-request-submitted")
    button(browser, "Iniciar análise")
    wait_text(browser, "main", "Em análise")
    check_screen(browser, "institution-request-in-analysis")
    link(browser, "Aprovar")
    wait_text(browser, "h1", "Aprovar a solicitação")
    browser.choose("#attendant_id", servant["id"])
    check_screen(browser, "institution-request-approve")
    button(browser, "Aprovar")
    wait_text(browser, "main", "Bruno Servidor")
    check_screen(browser, "institution-request-approve-confirm")
    button(browser, "Sim, aprovar!")
    wait_text(browser, "main", "Em atendimento")

    for step in request["checklist"]:
        browser.click(f"input[name='step.{step['step_id']}'][value=yes]")
    button(browser, "Salvar etapas")
    wait_text(browser, "main", "As etapas foram salvas.")
    checklist = client.get(f"{API}/service-requests/{request['id']}",
                           token=servant["token"]).json()["checklist"]
    assert [item["answer"] for item in checklist] == [True, True]
    check_screen(browser, "institution-request-in-progress")

    link(browser, "Criar acompanhamento")
    wait_text(browser, "h1", "Criar acompanhamento")
    browser.fill("#message", "Recebemos seus documentos. Confirme o cartório de registro.")
    attachment = Path(tempfile.mkdtemp()) / "orientacoes.pdf"
    attachment.write_bytes(b"%PDF-1.4\n%%EOF\n")
    browser.find("#files").send_keys(str(attachment))
    check_screen(browser, "institution-follow-up")
    button(browser, "Enviar")
    wait_text(browser, "main", "Recebemos seus documentos")
    assert "orientacoes.pdf" in browser.find("main").text

    reply = client.post(f"{API}/service-requests/{request['id']}/follow-ups",
                        token=citizen["token"], json={"message": "Cartório do 1º Ofício."})
    assert reply.status_code == 201, reply.text
    browser.driver.refresh()
    wait_text(browser, "main", "Cartório do 1º Ofício.")

    link(browser, "Videoconferência")
    wait_text(browser, "h1", "Videoconferência")
    day = (datetime.now(SAO_PAULO) + timedelta(days=1)).date()
    set_value(browser, "#date", day.isoformat())
    set_value(browser, "#time", "10:00")
    browser.fill("#subject", "Conferência dos documentos")
    check_screen(browser, "institution-meeting")
    button(browser, "Agendar")
    wait_text(browser, "main", "Conferência dos documentos")
    join = browser.find("a[href*='ponte-']")
    assert join.text.startswith("Acessar")

    link(browser, "Concluir")
    wait_text(browser, "h1", "Concluir solicitação")
    browser.fill("#note", "Certidão emitida e enviada por e-mail.")
    check_screen(browser, "institution-conclude")
    button(browser, "Concluir")
    wait_text(browser, "main", "Concluída")
    check_screen(browser, "institution-request-concluded")

    rated = client.post(f"{API}/service-requests/{request['id']}/rating",
                        token=citizen["token"], json={"score": 5,
                                                      "comment": "Atendimento excelente!"})
    assert rated.status_code == 201, rated.text
    link(browser, "Avaliações")
    wait_text(browser, "main", "Atendimento excelente!")
    assert "outro atendente" in browser.find("main").text  # never one's own: not offered
    check_screen(browser, "institution-ratings-own")
    sign_out(browser)

    # -- another attendant moderates; the agenda is downloaded ------------------------------
    sign_in(browser, base, carla["email"], PASSWORD)
    wait_text(browser, "nav", "Avaliações")
    link(browser, "Avaliações")
    wait_text(browser, "main", "Atendimento excelente!")
    check_screen(browser, "institution-ratings")
    button(browser, "Aprovar")
    wait_text(browser, "main", "Nenhuma avaliação.")
    ratings = client.get(f"{API}/services/{service['id']}/ratings").json()
    assert ratings["count"] == 1 and ratings["items"][0]["comment"] == "Atendimento excelente!"

    link(browser, "Agenda do dia")
    wait_text(browser, "h1", "Agenda do dia")
    set_value(browser, "#date", day.isoformat())
    button(browser, "Mostrar")
    wait_text(browser, "main", "Conferência dos documentos")
    assert "10:00" in browser.find("main table").text
    check_screen(browser, "institution-agenda")

    downloads = Path(tempfile.mkdtemp(prefix="ponte-downloads-"))
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
        "behavior": "allow", "downloadPath": str(downloads)})
    link(browser, "Baixar CSV")
    wait_until(lambda: [p for p in downloads.glob("*.csv")], 15, what="the CSV download")
    time.sleep(0.2)
    saved = next(downloads.glob("*.csv"))
    assert day.isoformat() in saved.name
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [(r["date"], r["time"], r["kind"], r["protocol"], r["subject"]) for r in rows] == [
        (day.isoformat(), "10:00", "meeting", request["protocol"],
         "Conferência dos documentos")]
    sign_out(browser)
