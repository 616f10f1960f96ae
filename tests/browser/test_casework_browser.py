"""Casework in a real browser: a flagged caller rings again, the callback count, keyboard only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_handler_journey import (
    missed_call,
    open_case_of,
    open_missed_call,
    sign_in,
    wait_for,
)
from tests.handler_calls import CALLER, TUESDAY_10AM
from tests.twilio_client import incoming_params

pytestmark = pytest.mark.browser
MAX_TABS = 120


def tab_to(driver: WebDriver, element_id: str) -> None:
    """Press Tab until the element with this id has the keyboard focus."""
    for _ in range(MAX_TABS):
        if driver.execute_script("return document.activeElement.id") == element_id:
            return
        driver.switch_to.active_element.send_keys(Keys.TAB)
    pytest.fail(f"#{element_id} cannot be reached with the Tab key")


def type_keys(driver: WebDriver, *keys: str) -> None:
    """Send keys to whatever has the focus, as a keyboard user would."""
    driver.switch_to.active_element.send_keys(*keys)


def fits_width(driver: WebDriver, width: int) -> bool:
    """Show the page at a phone's width and return True when nothing scrolls sideways."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 800, "deviceScaleFactor": 1,
                            "mobile": True})  # fmt: skip
    driver.refresh()
    fits = driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"
    )
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return bool(fits)


def test_a_flagged_caller_rings_again_and_the_new_case_shows_the_flag_and_link(
    live_server: LiveServer, browser: WebDriver
) -> None:
    old = open_missed_call(browser, live_server, "CA0C1")
    Select(browser.find_element(By.ID, "safe_to_call_back")).select_by_value("no")
    browser.find_element(By.CSS_SELECTOR, "#outcome-heading ~ form button").click()
    wait_for(browser, lambda d: "NO — do not call" in d.find_element(By.ID, "flag-call-back").text)
    browser.find_element(By.XPATH, "//button[text()='Close case']").click()
    wait_for(browser, lambda d: "(closed)" in d.find_element(By.TAG_NAME, "h1").text)
    ringing = live_server.webhook("/voice/incoming", incoming_params("CA0C2", CALLER))
    assert ringing.status_code == 200
    new = open_case_of(browser, live_server, "CA0C2")
    assert new != old
    flag = browser.find_element(By.ID, "flag-call-back").text
    assert "NO — do not call" in flag and f"from {old}, set by Test Handler" in flag
    assert old in browser.find_element(By.ID, "caller-history").text
    assert "Call ringing now" in browser.find_element(By.ID, "call-CA0C2").text
    screenshot(browser, "case-carried-flag")
    browser.find_element(By.CSS_SELECTOR, f'#flag-call-back a[href="/cases/{old}"]').click()
    wait_for(browser, lambda d: d.current_url.endswith(f"/cases/{old}"))


def test_an_overdue_callback_is_counted_in_the_navigation(
    live_server: LiveServer, browser: WebDriver
) -> None:
    missed_call(live_server, "CA0C3")
    live_server.app.extensions["helpline.clock"] = lambda: TUESDAY_10AM + timedelta(days=2)
    sign_in(browser, live_server, "handler")
    browser.get(live_server.url + "/calls/")
    link = browser.find_element(By.CSS_SELECTOR, 'nav a[href="/callbacks/"]')
    assert link.text == "Callbacks (1 owed, 1 overdue)"
    link.click()
    wait_for(browser, lambda d: "(overdue)" in d.find_element(By.CSS_SELECTOR, ".callback").text)


def test_the_callback_queue_works_from_the_keyboard_alone(
    live_server: LiveServer, browser: WebDriver
) -> None:
    missed_call(live_server, "CA0C4")
    sign_in(browser, live_server, "handler")
    browser.get(live_server.url + "/callbacks/")
    key = browser.find_element(By.CSS_SELECTOR, ".callback").get_attribute("id")
    reference = str(key).removeprefix("callback-")
    tab_to(browser, f"result-{reference}-done")
    type_keys(browser, Keys.ARROW_DOWN, Keys.ARROW_DOWN)  # to "Failed"
    tab_to(browser, f"attempt-note-{reference}")
    type_keys(browser, Keys.TAB, Keys.ENTER)  # submit with no reason
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"))
    assert "Give the reason" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    tab_to(browser, f"result-{reference}-failed")
    type_keys(browser, Keys.ARROW_UP)  # to "No answer"
    tab_to(browser, f"attempt-note-{reference}")
    type_keys(browser, "Voicemail box full", Keys.TAB, Keys.ENTER)
    wait_for(browser, lambda d: "no answer: Voicemail box full" in d.page_source)
    assert browser.find_elements(By.CSS_SELECTOR, ".callback")  # still owed, to try again
    assert fits_width(browser, 320)
    screenshot(browser, "callbacks-keyboard")


def test_the_case_page_works_from_the_keyboard_alone_and_fits_a_phone(
    live_server: LiveServer, browser: WebDriver
) -> None:
    open_missed_call(browser, live_server, "CA0C5")
    tab_to(browser, "note-body")
    type_keys(browser, "Rang about noise.", Keys.TAB, Keys.ENTER)
    wait_for(browser, lambda d: "Rang about noise." in d.find_element(By.ID, "notes").text)
    summary = browser.find_element(By.CSS_SELECTOR, "#call-CA0C5 summary")
    for _ in range(MAX_TABS):
        if browser.switch_to.active_element == summary:
            break
        type_keys(browser, Keys.TAB)
    type_keys(browser, Keys.ENTER)
    details = browser.find_element(By.CSS_SELECTOR, "#call-CA0C5 details")
    assert details.get_attribute("open") is not None and "Menu path:" in details.text
    assert "connect_harmony" not in browser.find_element(By.TAG_NAME, "main").text
    assert fits_width(browser, 320)
    screenshot(browser, "case-keyboard")
