"""The live calls list in a real browser: a repeat caller rings again while a handler works."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, CaseDetail
from tests.browser.axe import assert_accessible, set_width
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_accessibility import answered
from tests.browser.test_handler_journey import sign_in, wait_for
from tests.handler_calls import CALLER
from tests.twilio_client import incoming_params

pytestmark = pytest.mark.browser
LIVE = "#calls-board li.live-call[data-call-sid='{}']"


def flag_caller(server: LiveServer, sid: str) -> None:
    """Record that it is not safe to call the caller back, and a Community Trigger."""
    with get_database(server.app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.case_id is not None
        session.add(CaseDetail(case_id=call.case_id, safe_to_call_back=False,
                               community_trigger=True))  # fmt: skip


def test_a_flagged_repeat_caller_rings_again_without_moving_the_handlers_focus(
    live_server: LiveServer, browser: WebDriver
) -> None:
    answered(live_server, "CA0C1", CALLER, talk=300)
    flag_caller(live_server, "CA0C1")
    sign_in(browser, live_server, "handler")
    browser.get(live_server.url + "/calls/")
    link = browser.find_element(By.CSS_SELECTOR, "#call-CA0C1 a")
    # A property, not an attribute: morphing syncs attributes, but keeps the element itself.
    browser.execute_script("arguments[0].focus(); arguments[0].keptAcrossPolls = true;", link)
    live_server.webhook("/voice/incoming", incoming_params("CA0C2", CALLER))
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, LIVE.format("CA0C2")))
    news = browser.find_element(By.ID, "calls-news")
    wait_for(browser, lambda d: news.text.startswith("1 new call at "))
    assert browser.find_elements(By.CSS_SELECTOR, "[aria-live]") == [news]
    assert browser.execute_script("return document.activeElement.keptAcrossPolls === true;")
    assert browser.execute_script("return document.activeElement.closest('tr').id") == "call-CA0C1"
    live = browser.find_element(By.CSS_SELECTOR, LIVE.format("CA0C2")).text
    for words in ("In the menu", "2nd call", "NO — do not call", "Community Trigger", "for 0:00"):
        assert words in live, words
    screenshot(browser, "calls-live-repeat-caller")
    set_width(browser, 390)
    screenshot(browser, "calls-live-repeat-caller-phone")
    assert_accessible(browser, "calls with a live repeat caller")
