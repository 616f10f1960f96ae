"""A supervisor in a real browser: the dashboard's figures match the export; closures; reports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests import report_calls
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_handler_journey import sign_in, wait_for
from tests.handler_calls import TUESDAY_10AM
from tests.test_reports import PERIOD, expected_figures, exported, voicemail_sids
from tests.twilio_client import TwilioClient

pytestmark = pytest.mark.browser
RANGE = f"?since={PERIOD.first.isoformat()}&until={PERIOD.last.isoformat()}"


@pytest.fixture
def seeded(live_server: LiveServer) -> Iterator[list[str]]:
    """Drive the realistic mix of calls in, then put the clock back to the test's Tuesday."""
    app = live_server.app
    closures = app.extensions["helpline.closures"]
    sids = report_calls.seed(app, TwilioClient(app, app.test_client()))
    app.extensions["helpline.clock"] = lambda: TUESDAY_10AM
    yield sids
    app.extensions["helpline.closures"] = closures


def shown(browser: WebDriver) -> dict[str, str]:
    """Return the figures the page shows, by their data-figure name."""
    found = browser.find_elements(By.CSS_SELECTOR, "[data-figure]")
    return {element.get_attribute("data-figure") or "": element.text for element in found}


def report_figures(browser: WebDriver, server: LiveServer, path: str) -> dict[str, str]:
    """Sign in as a supervisor, open a report page and return the figures it shows."""
    sign_in(browser, server, "supervisor")
    browser.get(server.url + path)
    return shown(browser)


def test_dashboard_figures_match_the_export(
    live_server: LiveServer, browser: WebDriver, runner: FlaskCliRunner, seeded: list[str]
) -> None:
    app: Flask = live_server.app
    expected = expected_figures(exported(runner, PERIOD), voicemail_sids(app))
    # The page shows where calls ended instead of the overlapping abandoned and voicemail counts.
    del expected["abandoned"], expected["voicemail"]
    figures = report_figures(browser, live_server, "/reports/" + RANGE)
    assert {key: int(figures[key]) for key in expected} == expected
    assert browser.find_elements(By.CSS_SELECTOR, "svg.heatmap rect[data-calls]")
    screenshot(browser, "supervisor-dashboard")
    browser.execute_script("document.querySelector('svg.heatmap').scrollIntoView();")
    screenshot(browser, "supervisor-dashboard-charts")
    browser.get(live_server.url + "/reports/commissioner" + RANGE)
    assert "Victims supported" in browser.find_element(By.CSS_SELECTOR, "table.report").text
    screenshot(browser, "commissioner-report")


def test_close_the_line_from_the_closures_page(live_server: LiveServer, browser: WebDriver) -> None:
    sign_in(browser, live_server, "supervisor")
    browser.get(live_server.url + "/closures/")
    until = browser.find_element(By.NAME, "until")
    # Typing into datetime-local depends on the browser's locale: set the value directly.
    browser.execute_script("arguments[0].value = '2026-11-24T12:30';", until)
    browser.find_element(By.CSS_SELECTOR, "form[action$='close-now'] [name=reason]").send_keys(
        "Team meeting"
    )
    browser.find_element(By.CSS_SELECTOR, "form[action$='close-now'] button").click()
    wait_for(browser, lambda d: "Closed the Harmony line" in d.page_source)
    today = browser.find_element(By.CSS_SELECTOR, 'tr[data-day="2026-11-24"]').text
    support = "Calls go to the Victim Support 24/7 support line"
    assert f"10:00\u201312:30 {support} (closure: Team meeting)" in today
    screenshot(browser, "closures-calendar")
