"""``ponte demo`` in a real headless Chromium (issue 22): on a free port and a fresh data
directory, every account of ``accounts.json`` signs in through the portal by the login given,
and each person's home shows their own work: the secretary the clinic's requests, the auditor
the overdue one first, the attendants their queue, the citizens their requests. axe-core and
screenshots on every home. A second start on the same directory doubles nothing."""
from __future__ import annotations

import json

import pytest

from tests.browser.test_portal import check_screen, sign_in, sign_out, wait_text
from tests.e2e.test_demo import API, start_demo
from tests.stack import Stack

PORTALS = {"provider": "Portal do prestador", "secretary": "Portal da secretária",
           "citizen": "Portal do cidadão", "staff": "Portal da operadora"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    stack = Stack("embedded", tmp_path_factory.mktemp("demo-web"))
    try:
        start_demo(stack)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def accounts(demo) -> list[dict]:
    return json.loads((demo.data_dir / "demo" / "accounts.json").read_text())


def rows(browser, section: str) -> list:
    from selenium.webdriver.common.by import By
    return browser.driver.find_elements(By.CSS_SELECTOR, f"section{section} li")


def texts(browser, section: str) -> list[str]:
    return [row.text for row in rows(browser, section)]


def section_title(browser, section: str) -> str:
    return browser.find(f"section{section} h2").text


def the_secretary_sees_the_clinics_requests(browser, account: dict) -> None:
    browser.choose("#acting-for", next(
        o.get_attribute("value") for o in browser.driver.find_elements(
            "css selector", "#acting-for option") if o.text.startswith("Clínica")))
    browser.click("form[action='/acting-for'] button")
    wait_text(browser, "#authorization-requests h2", "Clínica Sorriso Carioca")
    listed = texts(browser, "#authorization-requests")
    assert listed and all(text.startswith("Solicitação") for text in listed)
    assert browser.find("#authorization-requests a[href^='/authorizations/']")


def the_auditor_sees_the_overdue_request_first(browser, account: dict) -> None:
    assert section_title(browser, "#audit-queue") == "Fila de auditoria"
    queue = rows(browser, "#audit-queue")
    assert [row.get_attribute("class") == "is-overdue" for row in queue] == [True, False, False]
    assert "Atrasada" in queue[0].text or "Atrasado" in queue[0].text
    assert queue[0].find_element("css selector", "a").get_attribute("href").split("/")[-2] \
        == "authorizations"


def the_operator_sees_the_inquiry_and_the_requests(browser, account: dict) -> None:
    assert len(rows(browser, "#inquiries")) == 1
    assert browser.find("#inquiries li a[href^='/inquiries/']")
    assert rows(browser, "#recent-requests")


def the_manager_sees_her_services(browser, account: dict) -> None:
    services = texts(browser, "[id^=services-]")
    assert len(services) == 2
    assert any("Segunda via de carteira de vacinação" in s and "Publicada" in s
               for s in services)
    assert any("Rascunho" in s for s in services)


def the_attendant_sees_her_queue(browser, account: dict) -> None:
    assert section_title(browser, "[id^=queue-]").startswith("Fila de ")
    queue = texts(browser, "[id^=queue-]")
    assert len(queue) == 5


def the_citizen_sees_her_requests(browser, account: dict) -> None:
    mine = rows(browser, "#my-requests")
    assert len(mine) in (2, 3)
    assert all(a.get_attribute("href").split("/")[-2] == "my-requests"
               for a in browser.driver.find_elements("css selector", "#my-requests li a"))
    assert rows(browser, "#my-appointments")


def the_provider_sees_its_requests(browser, account: dict) -> None:
    assert rows(browser, "#authorization-requests")


def the_pending_secretary_is_told_to_wait_for_an_invitation(browser, account: dict) -> None:
    assert "convite" in browser.find("main").text
    assert not rows(browser, "#authorization-requests")


def the_administrator_has_her_menu(browser, account: dict) -> None:
    assert browser.find("main a[href='/admin/team']")


CHECKS = {"administrator": the_administrator_has_her_menu,
          "operator": the_operator_sees_the_inquiry_and_the_requests,
          "auditor": the_auditor_sees_the_overdue_request_first,
          "institution manager": the_manager_sees_her_services,
          "attendant": the_attendant_sees_her_queue,
          "provider": the_provider_sees_its_requests,
          "secretary (authorizations": the_secretary_sees_the_clinics_requests,
          "secretary (pending": the_pending_secretary_is_told_to_wait_for_an_invitation,
          "citizen": the_citizen_sees_her_requests}


def check_for(role: str):
    return next(check for start, check in CHECKS.items() if role.startswith(start))


def test_every_account_signs_in_and_finds_its_own_work_at_home(demo, accounts, browser):
    assert len(accounts) == 13
    for account in accounts:
        sign_in(browser, demo.client.base_url, account["login"], account["password"])
        wait_text(browser, "h1", PORTALS[account["kind"]])
        check_for(account["role"])(browser, account)
        check_screen(browser, "demo-home-" + account["login"].split("@")[0].replace(".", "-"))
        sign_out(browser)


def test_a_second_start_doubles_nothing(demo, accounts):
    def token(role: str) -> str:
        account = next(a for a in accounts if a["role"].startswith(role))
        return demo.client.token(account["login"], account["password"])

    def census() -> dict[str, int]:
        auditor, ana, carla = token("auditor"), token("attendant"), token("citizen")
        institution = demo.client.get(f"{API}/institutions", token=ana).json()["items"]
        return {"institutions": len(institution),
                "queue": len(demo.client.get(f"{API}/audit-queue", token=auditor)
                             .json()["items"]),
                "requests": len(demo.client.get(f"{API}/authorization-requests", token=auditor)
                                .json()["items"]),
                "service_requests": len(demo.client.get(
                    f"{API}/institutions/{institution[0]['id']}/service-requests",
                    token=ana).json()["items"]),
                "mine": len(demo.client.get(f"{API}/me/service-requests", token=carla)
                            .json()["items"])}

    before = census()
    demo.stop_process("ponte-demo")
    output = start_demo(demo)
    assert "seeding" not in output
    assert json.loads((demo.data_dir / "demo" / "accounts.json").read_text()) == accounts
    assert census() == before
