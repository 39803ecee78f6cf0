"""Live pop-ups across a dropped stream: with access tokens of 40 s the stream ends with the
token that asked for its ticket; the page gets a new ticket (the portal renews the tokens on the
server) and resumes with Last-Event-ID, and no pop-up is shown twice."""
from __future__ import annotations

import pytest

from tests.browser.test_portal import sign_in
from tests.conftest import _running
from tests.e2e.notifications_helpers import People
from tests.e2e.test_relationships import PASSWORD
from tests.stack import wait_until

TOKEN_SECONDS = 40


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from _running("embedded", tmp_path_factory,
                        env={"PONTE_ACCESS_TOKEN_TTL": str(TOKEN_SECONDS)})


def stream_state(browser) -> str | None:
    return browser.driver.find_element("css selector", "#popups").get_attribute("data-stream")


def test_a_dropped_stream_resumes_without_showing_a_pop_up_twice(stack, browser):
    people = People(stack.client, stack.mail)
    secretary = people.secretary("Renata Religada")
    sign_in(browser, stack.client.base_url, secretary["email"], PASSWORD)
    browser.open(stack.client.base_url + "/notifications/preferences")
    wait_until(lambda: stream_state(browser) == "open", 10, what="the stream to open")
    before = int(browser.find("#unread-count").text)
    people.invite(people.provider("Clínica Antes", "clinic"), secretary, ["billing"])
    browser.visible("#popups .popup", timeout=10)
    wait_until(lambda: stream_state(browser) == "closed", TOKEN_SECONDS + 15,
               what="the stream to end with its token")
    wait_until(lambda: stream_state(browser) == "open", 20, what="the stream to resume")
    later = People(stack.client, stack.mail)  # the first tokens have expired by now
    later.invite(later.provider("Clínica Depois", "clinic"), secretary, ["billing"])
    wait_until(lambda: any("Depois" in p.text for p in
                           browser.driver.find_elements("css selector", "#popups .popup")),
               10, what="the second pop-up")
    # each pop-up bumps the count once: a pop-up shown twice would add 3
    assert int(browser.find("#unread-count").text) == before + 2
