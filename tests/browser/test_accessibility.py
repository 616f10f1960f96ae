"""Every page, as each kind of staff member sees it, checked by axe-core at 1366 and 390 px
and for reflow at 320 px; and signing in with the keyboard alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from sqlalchemy import select

from helpline.closures import store
from helpline.db import get_database
from helpline.models import Call, CallbackRequest, CaseDetail, CaseNote, Voicemail
from tests.auth_actions import PASSWORD, AuthActions
from tests.browser.axe import assert_accessible, set_width
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_handler_journey import missed_call, sign_in, wait_for
from tests.handler_calls import CALLER, OTHER_CALLER, TUESDAY_10AM
from tests.twilio_client import dial_params, incoming_params, status_params

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Page:
    """A page to check: its name, its address ({case} is a seeded case) and who signs in."""

    name: str
    path: str
    role: str | None


PAGES = (
    Page("sign-in", "/login", None),
    Page("calls", "/calls/", "handler"),
    Page("case", "/cases/{case}", "handler"),
    Page("callbacks", "/callbacks/", "handler"),
    Page("dashboard", "/reports/", "supervisor"),
    Page("commissioner report", "/reports/commissioner", "supervisor"),
    Page("closures", "/closures/", "supervisor"),
    Page("audit", "/admin/audit/", "admin"),
    Page("users", "/admin/users/", "admin"),
    Page("not found", "/no-such-page", "handler"),
    Page("no access", "/admin/users/", "handler"),
)


def seed_every_kind(server: LiveServer) -> str:
    """Drive in calls of every kind and the casework around them; return a case reference."""
    answered(server, "CA0A11", CALLER, talk=95)
    missed_call(server, "CA0A12")
    server.webhook("/voice/incoming", incoming_params("CA0A13", OTHER_CALLER))  # still live
    with get_database(server.app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == "CA0A12")).one()
        case = call.case
        assert case is not None
        add_casework(session, call, case.id)
        store.add(session, TUESDAY_10AM + timedelta(days=2), TUESDAY_10AM + timedelta(days=3),
                  "team away day", "Sam Supervisor")  # fmt: skip
        return case.reference


def answered(server: LiveServer, sid: str, caller: str, talk: int) -> None:
    """Drive an answered call in through signed webhooks."""
    server.webhook("/voice/incoming", incoming_params(sid, caller))
    server.webhook("/voice/dial/harmony", dial_params(sid, caller, "completed", talk))
    clock = server.app.extensions["helpline.clock"]()
    server.webhook("/voice/status", status_params(sid, caller, "completed", 3, clock, talk + 20))


def add_casework(session: object, call: Call, case_id: int) -> None:
    """Flag the case, note it, leave a voicemail and owe an overdue callback."""
    add = session.add  # type: ignore[attr-defined]
    add(CaseDetail(case_id=case_id, safe_to_call_back=False, community_trigger=True))
    add(CaseNote(case_id=case_id, author="handler@example.org", body="Neighbour noise again."))
    add(Voicemail(call_id=call.id, case_id=case_id, recording_sid="RE0A12", duration_seconds=20))
    add(CallbackRequest(case_id=case_id, call_id=call.id, number=CALLER, safe_to_call=True,
                        requested_at=call.started_at - timedelta(days=35),
                        due_at=call.started_at - timedelta(days=34)))  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name.replace(" ", "-"))
def test_every_page_passes_axe_at_desktop_and_phone_widths_and_reflows(
    live_server: LiveServer, browser: WebDriver, page: Page
) -> None:
    reference = seed_every_kind(live_server)
    if page.role:
        sign_in(browser, live_server, page.role)
    browser.get(live_server.url + page.path.format(case=reference))
    assert browser.find_element(By.TAG_NAME, "h1").text
    assert_accessible(browser, page.name)


def test_a_sign_in_error_is_accessible(live_server: LiveServer, browser: WebDriver) -> None:
    AuthActions(live_server.app, live_server.app.test_client()).user("handler")
    browser.get(live_server.url + "/login")
    browser.find_element(By.NAME, "email").send_keys("handler@example.org")
    browser.find_element(By.NAME, "password").send_keys("not the password" + Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".error, .flashes"))
    assert_accessible(browser, "sign-in with a wrong password")


def test_closures_forms_with_errors_are_accessible(
    live_server: LiveServer, browser: WebDriver
) -> None:
    sign_in(browser, live_server, "supervisor")
    browser.get(live_server.url + "/closures/")
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='day-off']")
    browser.execute_script("arguments[0].noValidate = true;", form)  # let the server refuse it
    form.find_element(By.TAG_NAME, "button").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".error"))
    assert_accessible(browser, "closures after a form error")


def focused(driver: WebDriver) -> WebElement:
    """Return the element that has keyboard focus."""
    element: WebElement = driver.switch_to.active_element
    return element


def press(driver: WebDriver, *keys: str) -> WebElement:
    """Type keys into whatever has focus, as a keyboard would; return what has focus after."""
    focused(driver).send_keys(*keys)
    return focused(driver)


def focus_ring(driver: WebDriver, element: WebElement) -> str:
    """Return the focused element's outline, as drawn."""
    style: str = driver.execute_script(
        "const s = getComputedStyle(arguments[0]);"
        "return s.outlineStyle === 'none' ? s.boxShadow : s.outlineStyle + ' ' + s.outlineWidth;",
        element,
    )
    return style


@pytest.mark.parametrize("width", [1366, 390])
def test_sign_in_with_the_keyboard_alone(
    live_server: LiveServer, browser: WebDriver, width: int
) -> None:
    AuthActions(live_server.app, live_server.app.test_client()).user("handler")
    set_width(browser, width)
    browser.get(live_server.url + "/calls/")  # signed out: sent to sign in, then back here
    email = focused(browser)
    assert email.get_attribute("name") == "email"  # ready to type at once
    brand = press(browser, Keys.SHIFT, Keys.TAB)
    assert brand.text == "Harmony helpline"
    skip = press(browser, Keys.SHIFT, Keys.TAB)
    assert skip.text == "Skip to content" and skip.is_displayed()
    assert focus_ring(browser, skip) not in ("", "none")
    press(browser, Keys.ENTER)  # the skip link jumps past the header...
    email = press(browser, Keys.TAB)  # ...to the first field
    assert email.get_attribute("name") == "email"
    assert focus_ring(browser, email) not in ("", "none")
    password = press(browser, "handler@example.org", Keys.TAB)
    assert password.get_attribute("name") == "password"
    button = press(browser, PASSWORD, Keys.TAB)
    assert button.text == "Sign in" and focus_ring(browser, button) not in ("", "none")
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: urlsplit(d.current_url).path == "/calls/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Live and recent calls"
    screenshot(browser, f"keyboard-sign-in-{width}")
