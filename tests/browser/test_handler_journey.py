"""A handler's day in a real browser: sign in, a call arrives, work the case and the callback."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.auth_actions import PASSWORD, AuthActions
from tests.browser.conftest import LiveServer, screenshot
from tests.handler_calls import CALLER
from tests.twilio_client import dial_params, incoming_params, status_params

pytestmark = pytest.mark.browser
WAIT_SECONDS = 20


def sign_in(driver: WebDriver, server: LiveServer, role: str) -> None:
    """Create a user with this role and sign in through the form."""
    email = AuthActions(server.app, server.app.test_client()).user(role)
    driver.get(server.url + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: "/login" not in d.current_url)


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], object]) -> None:
    """Wait until the condition holds, retrying while a page is being replaced by the next."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=ignored).until(condition)


def missed_call(server: LiveServer, sid: str) -> None:
    """Drive a missed in-hours call in through signed webhooks."""
    assert server.webhook("/voice/incoming", incoming_params(sid, CALLER)).status_code == 200
    server.webhook("/voice/dial/harmony", dial_params(sid, CALLER, "no-answer"))
    clock = server.app.extensions["helpline.clock"]()
    server.webhook("/voice/status", status_params(sid, CALLER, "completed", 3, clock, 30))


def open_case_of(driver: WebDriver, server: LiveServer, sid: str) -> str:
    """Open the case of a call from the calls list; return its reference."""
    driver.get(server.url + "/calls/")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-call-sid="{sid}"] a'))
    driver.find_element(By.CSS_SELECTOR, f'[data-call-sid="{sid}"] a').click()
    wait_for(driver, lambda d: "/cases/" in d.current_url)
    return str(driver.current_url.rsplit("/", 1)[1])


def open_missed_call(driver: WebDriver, server: LiveServer, sid: str) -> str:
    """Drive a missed call in, sign in as a handler and open its case; return the reference."""
    missed_call(server, sid)
    sign_in(driver, server, "handler")
    return open_case_of(driver, server, sid)


def test_sign_in_and_a_signed_webhook_appears_without_reload(
    live_server: LiveServer, browser: WebDriver
) -> None:
    sign_in(browser, live_server, "handler")
    browser.get(live_server.url + "/calls/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Live and recent calls"
    browser.execute_script("window.notReloaded = true;")
    response = live_server.webhook("/voice/incoming", incoming_params("CA0B1", CALLER))
    assert response.status_code == 200 and b"<Dial" in response.content
    row = '[data-call-sid="CA0B1"]'
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row))
    assert browser.execute_script("return window.notReloaded === true;")
    text = browser.find_element(By.CSS_SELECTOR, row).text
    assert "In the menu" in text and CALLER not in text
    screenshot(browser, "calls-live")


def test_open_the_case_add_a_note_and_complete_the_callback(
    live_server: LiveServer, browser: WebDriver
) -> None:
    open_missed_call(browser, live_server, "CA0B2")
    assert browser.find_element(By.ID, "caller-number").text == CALLER
    browser.find_element(By.ID, "note-body").send_keys("Rang about noise from next door.")
    browser.find_element(By.CSS_SELECTOR, "#note-body ~ button").click()
    wait_for(browser, lambda d: "Rang about noise" in d.find_element(By.ID, "notes").text)
    screenshot(browser, "case")
    browser.get(live_server.url + "/callbacks/")
    row = browser.find_element(By.CSS_SELECTOR, ".callback")
    assert "Missed call" in row.text
    screenshot(browser, "callbacks")
    row.find_element(By.CSS_SELECTOR, "input[value=done]").click()
    row.find_element(By.NAME, "note").send_keys("Called back, advice given")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(browser, lambda d: "No callbacks owed." in d.page_source)
    assert ": done." in browser.find_element(By.CLASS_NAME, "flashes").text


def test_a_handler_is_refused_the_supervisor_pages(
    live_server: LiveServer, browser: WebDriver
) -> None:
    sign_in(browser, live_server, "handler")
    nav = browser.find_element(By.CSS_SELECTOR, "nav").text
    assert "Calls" in nav and "Dashboard" not in nav and "Closures" not in nav
    for path in ("/reports/", "/closures/", "/admin/audit/"):
        browser.get(live_server.url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Forbidden", path
    screenshot(browser, "forbidden")


def test_a_supervisor_downloads_the_calls_csv(
    live_server: LiveServer, browser: WebDriver, downloads: Path
) -> None:
    missed_call(live_server, "CA0B3")
    sign_in(browser, live_server, "supervisor")
    browser.get(live_server.url + "/reports/")
    screenshot(browser, "dashboard")
    browser.find_element(By.CSS_SELECTOR, "a[href*='calls.csv']").click()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and not list(downloads.glob("*.csv")):
        time.sleep(0.2)
    files = list(downloads.glob("*.csv"))
    assert files, "no CSV was downloaded"
    content = files[0].read_text()
    assert content.startswith("call_sid,") and "CA0B3" in content


def test_an_admin_adds_a_handler_and_reads_the_audit_log(
    live_server: LiveServer, browser: WebDriver
) -> None:
    sign_in(browser, live_server, "admin")
    browser.get(live_server.url + "/admin/users/")
    browser.find_element(By.NAME, "email").send_keys("new.handler@example.org")
    browser.find_element(By.NAME, "name").send_keys("New Handler")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "section.card form button[type=submit]").click()
    wait_for(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-email="new.handler@example.org"]'),
    )
    screenshot(browser, "users")
    browser.get(live_server.url + "/admin/audit/")
    actions = browser.find_element(By.CSS_SELECTOR, "table.audit").text
    assert "user_created" in actions and "login" in actions
    screenshot(browser, "audit")
