"""Browser tests: Debian's Chromium, headless, driven by selenium through Debian's chromedriver
(never a browser or driver downloaded at test time), against a real ``ponte up``.

``scripts/ensure-infrastructure`` installs ``chromium`` and ``chromium-driver`` when they are
missing and the machine allows it; where they still are missing the tests are skipped, except
in CI (``CI=true``), where that is a failure."""
from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import _running
from tests.stack import ROOT, wait_until

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE, DESKTOP = (390, 844), (1280, 900)
REPLACING = ("does not belong to the document", "unhandled inspector error",
             "Cannot find context with specified id")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1280,900")


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The embedded runtime is enough for pages: they only talk to the gateway."""
    yield from _running("embedded", tmp_path_factory)


class Browser:
    """A headless Chromium with a fresh profile, and the few moves the tests make."""

    def __init__(self, language: str = "pt-BR") -> None:
        self.language = language
        self.profile = tempfile.mkdtemp(prefix="ponte-chromium-")
        self.driver = self._start()

    def restart(self) -> None:
        """Close the browser and open it again on the same profile: session cookies are gone,
        persistent ones stay (what "Mantenha-me conectado" is about)."""
        self.driver.quit()
        self.driver = self._start()

    def _start(self):  # noqa: ANN202
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager never downloads
        language = self.language
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_argument(f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                                  options=options)
        driver.set_page_load_timeout(30)
        return driver

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # finding and waiting
    def find(self, css: str):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def visible(self, css: str, timeout: float = 15):
        """The element once shown. A page replaced between finding it and looking at it (a
        form's answer arriving) is looked at again: Chromium says so as an unknown error,
        "Node with given id does not belong to the document", not as a stale element."""
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
            WebDriverException,
        )
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def shown(driver):  # noqa: ANN001, ANN202
            try:
                element = driver.find_element(By.CSS_SELECTOR, css)
                return element if element.is_displayed() else False
            except (NoSuchElementException, StaleElementReferenceException):
                return False
            except WebDriverException as exc:
                if _being_replaced(exc):
                    return False
                raise
        return WebDriverWait(self.driver, timeout).until(shown)

    def replaced(self, element) -> bool:  # noqa: ANN001
        """Whether the page ``element`` was found on has been replaced (a form's answer has
        arrived). Asked in the middle of the replacement, Chromium answers with an unknown
        error rather than a stale element: that is "not yet"."""
        from selenium.common.exceptions import (
            StaleElementReferenceException,
            WebDriverException,
        )
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if _being_replaced(exc):
                return False
            raise
        return False

    def text_in(self, css: str, text: str, timeout: float = 15) -> str:
        wait_until(lambda: text in self.find(css).text, timeout,
                   what=f"{text!r} in {css}: {self.find(css).text!r}")
        return self.find(css).text

    # acting
    def open(self, url: str) -> None:
        self.driver.get(url)
        wait_until(lambda: self.driver.execute_script("return document.readyState")
                   == "complete", 15, what="the page to load")

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def click(self, css: str) -> None:
        self.find(css).click()

    def choose(self, css: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select
        Select(self.find(css)).select_by_value(value)

    # evidence
    def csp_violations(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser")
                if "Content Security Policy" in entry["message"]
                or "Refused to" in entry["message"]]

    def screenshots(self, name: str) -> list[Path]:
        """The page as it is now, whole, at phone and at desktop width."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        written = []
        for label, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1,
                "mobile": label == "phone"})
            full = self.driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight, "
                "document.body.scrollHeight)")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": max(full, height),
                         "scale": 1}})
            path = SCREENSHOTS / f"{name}-{label}.png"
            path.write_bytes(base64.b64decode(shot["data"]))
            written.append(path)
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return written

    def accessibility_problems(self) -> list[str]:
        """axe-core's serious and critical violations on the page as it is now (the axe.min.js
        that axe-selenium-python vendors; nothing is downloaded)."""
        from axe_selenium_python import Axe

        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        return [f"{v['id']} ({v['impact']}): {v['help']} — "
                f"{[node['target'] for node in v['nodes']][:3]}"
                for v in results["violations"] if v["impact"] in ("serious", "critical")]

    def page_width_fits(self, width: int = PHONE[0]) -> bool:
        """Nothing scrolls sideways at ``width``: the page is usable on a phone."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True})
        try:
            return self.driver.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _being_replaced(exc: Exception) -> bool:
    """Chromium's unknown errors for a node whose document is going away."""
    return any(words in str(exc) for words in REPLACING)


@pytest.fixture(autouse=True)
def _signed_out_afterwards(request):
    """A browser test that stops half way does not leave the next one signed in."""
    yield
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser").driver.delete_all_cookies()


@pytest.fixture(scope="module")
def browser_factory():
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    opened: list[Browser] = []

    def open_browser(language: str = "pt-BR") -> Browser:
        opened.append(Browser(language))
        return opened[-1]
    yield open_browser
    for browser in opened:
        browser.quit()


@pytest.fixture(scope="module")
def browser(browser_factory):
    return browser_factory()


def link_in(mail, to: str, subject: str) -> str:
    """The link an e-mail carries, read from the .eml outbox as a person would click it."""
    message = mail.wait_for(to, subject, containing="token=")
    return re.search(r"^(https?://\S+\?token=\S+)$", mail.body(message), re.M).group(1)
