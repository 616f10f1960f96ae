"""A supervisor in real Chromium: tiles that add up, measures with definitions, a clean printout."""

from __future__ import annotations

import base64
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_handler_journey import sign_in
from tests.browser.test_reports_browser import (  # noqa: F401 - seeded is a fixture
    RANGE,
    report_figures,
    seeded,
)

# Every test here reads the realistic mix of calls the dashboard test seeds.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("seeded")]
QUARTER = "?since=2026-01-01&until=2026-03-31"


def test_tiles_add_up_and_measures_are_explained(
    live_server: LiveServer, browser: WebDriver
) -> None:
    figures = report_figures(browser, live_server, "/reports/" + RANGE)
    outcomes = [int(v) for k, v in figures.items() if k.startswith("outcome_")]
    assert len(outcomes) == 8 and sum(outcomes) == int(figures["total_calls"]) > 0
    for key in ("in_hours_answer_rate", "time_to_answer_seconds_mean", "service_level"):
        assert figures[key] not in ("", "\u2013"), key
    terms = [dt.text for dt in browser.find_elements(By.CSS_SELECTOR, ".definitions dt")]
    assert {"In-hours answer rate", "Time to answer", "Service level"} <= set(terms)
    axis = browser.find_elements(By.CSS_SELECTOR, "svg.trend > text")
    assert any(text.text == "0" for text in axis)  # the value axis starts at zero
    screenshot(browser, "reports-figures-desktop")


def test_dashboard_fits_a_phone_with_legible_charts(
    live_server: LiveServer, browser: WebDriver
) -> None:
    sign_in(browser, live_server, "supervisor")
    browser.set_window_size(390, 844)
    browser.get(live_server.url + "/reports/" + RANGE)
    sideways = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
    )
    assert sideways <= 0
    heights = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0);"
    )
    assert heights and min(heights) >= 10  # pixels on the phone's screen
    browser.execute_script("document.querySelector('svg.trend').scrollIntoView();")
    screenshot(browser, "reports-figures-phone")


def test_commissioner_quarter_prints_on_two_or_three_pages(
    live_server: LiveServer, browser: WebDriver
) -> None:
    figures = report_figures(browser, live_server, "/reports/commissioner" + QUARTER)
    assert int(figures["calls"]) > 0 and "referral_mediation" in figures
    assert "Community Trigger cases supported" in browser.page_source
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7  # A4, centimetres
    pdf = base64.b64decode(browser.print_page(options))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 3, pages
    screenshot(browser, "commissioner-quarter")
