"""Seed 001's story in a real headless Chromium (issue 19): a clinic's secretary fills in a
request with three procedures on three teeth, attaches a PDF and an image, saves it as a
draft and sends it; she sees its number and protocol and finds it by number and by member
card; the auditor denies one item and authorizes two while her screen is open, and the pop-up
arrives; a denied plan is appealed with a file, authorized, and its code checked on
"Verificar código". Seed 003: a payment registered by the operator and read by the clinic, an
inquiry thread both ways. The tooth chart by keyboard alone. axe-core and screenshots on every
screen."""
from __future__ import annotations

import struct
import zlib

import pytest

from tests.browser.test_portal import check_screen, sign_in, wait_text
from tests.e2e.test_authorizations import (
    API,
    BENEFICIARY,
    ORTHODONTICS,
    PDF,
    PERIAPICAL,
    PROFESSIONAL,
    RESIN_2F,
    ROOT_CANAL,
    Desk,
)
from tests.e2e.test_relationships import PASSWORD
from tests.stack import wait_until

CARD = "090216177"


def png() -> bytes:
    """A real 1×1 PNG (uploads are judged by their content)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def desk(stack):
    return Desk(stack.client, stack.mail)


@pytest.fixture(scope="module")
def cast(desk):
    """The clinic (profile complete), its secretary (authorizations and billing), an auditor
    and an operator."""
    clinic = desk.provider("Clínica Odonto Arte")
    secretary = desk.secretary("Priscila Souza")
    desk.relate(clinic, secretary, ["authorizations", "billing"])
    return {"clinic": clinic, "secretary": secretary,
            "auditor": desk.staff(["auditor"], "Aurora Auditora"),
            "operator": desk.staff(["operator"], "Olga Operadora")}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anexos")
    (folder / "raio-x.pdf").write_bytes(PDF)
    (folder / "foto.png").write_bytes(png())
    return folder


def xpath(browser, path: str):
    return browser.driver.find_element("xpath", path)


def button(browser, name: str):
    return xpath(browser, f"//main//button[normalize-space()='{name}']")


def link(browser, name: str):
    return xpath(browser, f"//a[normalize-space()='{name}']")


def signed_in_browser(browser_factory, client, who: dict):
    browser = browser_factory()
    sign_in(browser, client.base_url, who["email"], PASSWORD)
    wait_text(browser, "h1", "Portal")
    return browser


def fill_row(browser, n: int, code: str, tooth: str | None = None,
             faces: tuple[str, ...] = ()) -> None:
    browser.fill(f"#items-{n}-procedure", code)
    if tooth:
        chart = browser.find(f"#row-{n} .tooth-chart")  # script runs: the chart is there
        chart.find_element("css selector", f"button[data-tooth-value='{tooth}']").click()
        assert browser.find(f"#items-{n}-tooth").get_attribute("value") == tooth
    for face in faces:
        browser.click(f"#row-{n} input[name='items.{n}.faces'][value='{face}']")


def test_the_secretary_sends_a_plan_and_the_auditor_decides_per_item(
        client, browser_factory, cast, files):
    base = client.base_url
    secretary = signed_in_browser(browser_factory, client, cast["secretary"])
    link(secretary, "Solicitações de autorização").click()
    wait_text(secretary, "h1", "Solicitações de autorização")
    check_screen(secretary, "authorizations-list")
    link(secretary, "Nova solicitação").click()
    wait_text(secretary, "h1", "Nova solicitação")
    check_screen(secretary, "authorizations-new")

    secretary.choose("#demand_group", "rede_credenciada_movimentacoes")
    demand = secretary.find("#demand_type")
    shown = [o.get_attribute("value") for o in demand.find_elements("css selector", "option")
             if o.is_enabled() and o.get_attribute("value")]
    assert shown and all(v for v in shown)  # only the chosen group's demands remain
    secretary.choose("#demand_type", "odontologia_solic_proced_ambulatoriais")
    secretary.fill("#contact-name", "Regina Recepção")
    secretary.fill("#contact-phone", "(21) 3479-1200")
    secretary.fill("#contact-email", "recepcao@odontoarte.test")
    secretary.fill("#professional_document", PROFESSIONAL)
    secretary.fill("#beneficiary-cpf", BENEFICIARY)
    secretary.fill("#beneficiary-card_number", CARD)
    secretary.fill("#observations", "Paciente com dor.")
    fill_row(secretary, 0, ROOT_CANAL, "11")
    button(secretary, "Adicionar procedimento").click()
    secretary.visible("#items-1-procedure")
    fill_row(secretary, 1, RESIN_2F, "36", ("O", "M"))
    button(secretary, "Adicionar procedimento").click()
    secretary.visible("#items-2-procedure")
    assert secretary.find("#items-0-procedure").get_attribute("value") == ROOT_CANAL
    fill_row(secretary, 2, PERIAPICAL, "46")
    assert secretary.find("#files-hint").text.count("10 MB") == 1
    secretary.find("#files").send_keys(f"{files / 'raio-x.pdf'}\n{files / 'foto.png'}")
    button(secretary, "Salvar rascunho").click()
    wait_text(secretary, "h1", "Solicitação em rascunho")
    check_screen(secretary, "authorizations-draft")
    assert "raio-x.pdf" in secretary.find("main").text and "foto.png" in secretary.find("main").text
    assert len(secretary.driver.find_elements("css selector", "table.items tbody tr")) == 3

    button(secretary, "Enviar").click()
    secretary.visible("#request-number")
    number = secretary.find("#request-number").text
    protocol = secretary.find("#request-protocol").text
    assert len(number) == 8 and len(protocol) == 20
    assert secretary.find("button[data-copy='request-number']").is_displayed()
    check_screen(secretary, "authorizations-sent")
    request_url = secretary.driver.current_url.split("?")[0]

    for query in (number, CARD):  # found by number, then by member card
        secretary.open(base + "/authorizations")
        secretary.fill("#number" if query == number else "#beneficiary", query)
        button(secretary, "Buscar").click()
        wait_text(secretary, "table.requests", number)
    check_screen(secretary, "authorizations-found")

    auditor = signed_in_browser(browser_factory, client, cast["auditor"])
    link(auditor, "Fila de auditoria").click()
    wait_text(auditor, "h1", "Fila de auditoria")
    wait_text(auditor, "#queue", number)
    check_screen(auditor, "audit-queue")
    link(auditor, number).click()
    wait_text(auditor, "h1", number)
    check_screen(auditor, "audit-request")

    secretary.open(request_url)
    wait_until(lambda: secretary.driver.find_elements(
        "css selector", "#popups[data-stream=open]"), 10, what="the stream to open")
    rows = auditor.driver.find_elements("css selector", "table.items tbody tr")
    for row, grant in zip(rows, ("no", "yes", "yes"), strict=True):
        row.find_element("css selector", f"input[value='{grant}']").click()
        if grant == "no":
            from selenium.webdriver.support.ui import Select
            Select(row.find_element("css selector", "select")).select_by_value("technical")
    auditor.fill("#decision-justification", "Endodontia sem radiografia inicial.")
    button(auditor, "Registrar decisão").click()
    wait_text(auditor, "#request-status", "Parcialmente autorizada")

    popup = secretary.visible("#popups .popup", timeout=15)
    assert number in popup.text or popup.text
    check_screen(secretary, "authorizations-popup")
    secretary.open(request_url)
    wait_text(secretary, "#request-status", "Parcialmente autorizada")
    assert "Motivo técnico" in secretary.find("table.items").text
    assert secretary.find("#authorization-code").text
    assert "Interações" in secretary.find("main").text
    assert not secretary.driver.find_elements("xpath", "//summary[normalize-space()='Recorrer']")
    check_screen(secretary, "authorizations-decided")


def test_a_denied_plan_is_appealed_authorized_and_its_code_checked(
        client, browser_factory, cast, files):
    clinic, auditor_account = cast["clinic"], cast["auditor"]
    made = client.post(f"{API}/authorization-requests", token=clinic["token"], json={
        "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "Regina", "phone": "(21) 3479-1200", "email": "r@odonto.test"},
        "professional_document": PROFESSIONAL,
        "beneficiary": {"cpf": BENEFICIARY, "card_number": CARD},
        "items": [{"procedure_code": ORTHODONTICS, "quantity": 1, "region": "AS"}]})
    assert made.status_code == 201, made.text
    request = made.json()
    denied = client.post(f"{API}/authorization-requests/{request['id']}/decision",
                         token=auditor_account["token"], json={
                             "outcome": "denied", "justification": "Falta documentação.",
                             "denial_reason": "documentation"})
    assert denied.status_code == 200, denied.text

    secretary = signed_in_browser(browser_factory, client, cast["secretary"])
    secretary.open(client.base_url + f"/authorizations/{request['id']}")
    wait_text(secretary, "#request-status", "Negada")
    xpath(secretary, "//summary[normalize-space()='Recorrer']").click()
    secretary.fill("#appeal-justification", "Segue a documentação ortodôntica.")
    secretary.find("form[action$='/appeal'] input[type=file]").send_keys(
        str(files / "raio-x.pdf"))
    check_screen(secretary, "authorizations-appeal")
    button(secretary, "Recorrer").click()
    wait_text(secretary, "#request-status", "Em auditoria")
    assert "raio-x.pdf" in secretary.find(".timeline").text

    auditor = signed_in_browser(browser_factory, client, auditor_account)
    auditor.open(client.base_url + f"/authorizations/{request['id']}")
    auditor.find("table.items input[value='yes']").click()
    button(auditor, "Registrar decisão").click()
    wait_text(auditor, "#request-status", "Autorizada")
    code = auditor.find("#authorization-code").text

    link(secretary, "Verificar código").click()
    wait_text(secretary, "h1", "Verificar código")
    secretary.fill("#code", code)
    secretary.fill("#beneficiary", CARD)
    button(secretary, "Verificar código").click()
    wait_text(secretary, "#code-result", "Código válido")
    check_screen(secretary, "authorizations-code")


def test_a_payment_and_an_inquiry_thread_both_ways(client, browser_factory, cast):
    clinic = cast["clinic"]
    operator = signed_in_browser(browser_factory, client, cast["operator"])
    link(operator, "Pagamentos").click()
    wait_text(operator, "h1", "Pagamentos")
    link(operator, "Registrar pagamento").click()
    wait_text(operator, "h1", "Registrar pagamento")
    operator.choose("#provider_id", clinic["id"])
    operator.fill("#invoice-number", "NF 2026/118")
    operator.driver.execute_script(
        "document.getElementById('invoice-issued_on').value = '2026-11-03';"
        "document.getElementById('paid_on').value = '2026-11-20';")
    operator.fill("#invoice-amount", "1.234,56")
    operator.fill("#amount_paid", "1.000,00")
    check_screen(operator, "payment-new")
    button(operator, "Registrar pagamento").click()
    wait_text(operator, "table.payments", "NF 2026/118")

    secretary = signed_in_browser(browser_factory, client, cast["secretary"])
    link(secretary, "Pagamentos").click()
    wait_text(secretary, "table.payments", "NF 2026/118")
    text = secretary.find("table.payments").text
    assert "R$ 1.234,56" in text and "R$ 1.000,00" in text and "R$ 234,56" in text
    check_screen(secretary, "payments")

    link(secretary, "Fale com a operadora").click()
    link(secretary, "Nova mensagem").click()
    wait_text(secretary, "h1", "Nova mensagem")
    secretary.click("input[name=subject][value=authorizations_payments]")
    secretary.fill("#message", "A nota 2026/118 teve glosa de R$ 234,56. Por quê?")
    check_screen(secretary, "inquiry-new")
    button(secretary, "Enviar").click()
    wait_text(secretary, "#thread", "glosa")

    link(operator, "Mensagens dos prestadores").click()
    wait_text(operator, "h1", "Mensagens dos prestadores")
    link(operator, "Autorizações e pagamentos").click()
    wait_text(operator, "#thread", "glosa")
    operator.fill("#message", "Glosa por procedimento sem autorização.")
    button(operator, "Enviar resposta").click()
    wait_text(operator, "#thread", "sem autorização")
    check_screen(operator, "inquiry-thread")

    secretary.open(secretary.driver.current_url)
    wait_text(secretary, "#thread", "sem autorização")
    check_screen(secretary, "inquiry-answered")


def test_the_tooth_chart_works_with_the_keyboard_alone(client, browser_factory, cast):
    from selenium.webdriver.common.keys import Keys

    secretary = signed_in_browser(browser_factory, client, cast["secretary"])
    secretary.open(client.base_url + "/authorizations/new")
    field = secretary.find("#items-0-procedure")
    field.send_keys(PERIAPICAL)
    tooth = secretary.find("#items-0-tooth")
    assert tooth.is_displayed() and not secretary.find(
        "#row-0 [data-asks=region]").is_displayed()
    tooth.send_keys(Keys.TAB)  # from the plain choice into the chart: tooth 18
    active = secretary.driver.switch_to.active_element
    assert active.get_attribute("data-tooth-value") == "18"
    active.send_keys(Keys.ARROW_RIGHT)
    active = secretary.driver.switch_to.active_element
    assert active.get_attribute("data-tooth-value") == "17"
    active.send_keys(Keys.SPACE)
    assert active.get_attribute("aria-pressed") == "true"
    assert tooth.get_attribute("value") == "17"
    active.send_keys(Keys.ENTER)  # pressed again: no tooth
    assert active.get_attribute("aria-pressed") == "false" and tooth.get_attribute("value") == ""
    check_screen(secretary, "tooth-chart")


def test_the_queue_and_the_page_follow_another_auditors_decision(client, browser_factory,
                                                                  desk, cast):
    clinic = cast["clinic"]
    made = [client.post(f"{API}/authorization-requests", token=clinic["token"], json={
        "demand_group": "rede_credenciada_movimentacoes",
        "demand_type": "odontologia_solic_proced_ambulatoriais",
        "contact": {"name": "Regina", "phone": "(21) 3479-1200", "email": "r@odonto.test"},
        "professional_document": PROFESSIONAL, "beneficiary": {"card_number": CARD},
        "items": [{"procedure_code": ROOT_CANAL, "quantity": 1, "tooth": 21}]}).json()
        for _ in range(2)]
    queue = signed_in_browser(browser_factory, client, cast["auditor"])
    queue.open(client.base_url + "/audit-queue")
    wait_text(queue, "#queue", made[0]["number"])
    page = signed_in_browser(browser_factory, client, cast["auditor"])
    page.open(client.base_url + f"/authorizations/{made[1]['id']}")
    assert button(page, "Registrar decisão")
    other = desk.staff(["auditor"], "Otávio Auditor")
    for request in made:
        decided = client.post(f"{API}/authorization-requests/{request['id']}/decision",
                              token=other["token"], json={"outcome": "authorized"})
        assert decided.status_code == 200, decided.text
    def dropped() -> bool:
        from selenium.common.exceptions import WebDriverException
        try:
            return made[0]["number"] not in queue.find("main").text
        except WebDriverException:  # the page is being reloaded
            return False
    wait_until(dropped, 20, what="the queue to drop the decided request")
    wait_text(page, "#request-status", "Autorizada", timeout=20)
    assert not page.driver.find_elements("xpath", "//button[normalize-space()='Registrar decisão']")
