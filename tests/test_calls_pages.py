"""The live and recent calls page: live triage, masking, search, filters, htmx polling."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, CaseDetail
from tests.handler_calls import (
    CALLER,
    OTHER_CALLER,
    TUESDAY_8PM,
    TUESDAY_10AM,
    case_reference,
    ring,
)
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

SIDS = re.compile(r'data-call-sid="([^"]+)"')


def listed(client: FlaskClient, query: str = "") -> list[str]:
    """Return the call SIDs the calls page lists for a query string, in order."""
    page = client.get(f"/calls/?{query}")
    assert page.status_code == 200
    return SIDS.findall(page.get_data(as_text=True))


def seed(twilio: TwilioClient) -> None:
    """Four calls: answered and missed in hours, one out of hours, one withheld and live."""
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    ring(twilio, "CA0002", OTHER_CALLER, TUESDAY_10AM.replace(hour=11), "missed")
    ring(twilio, "CA0003", CALLER, TUESDAY_8PM, "answered")
    ring(twilio, "CA0004", "anonymous", TUESDAY_8PM.replace(hour=21), "live")


@pytest.fixture
def seeded(twilio: TwilioClient, login_as: Callable[[str], str]) -> None:
    """Drive the four calls in, then sign in as a handler."""
    seed(twilio)
    login_as("handler")


@pytest.mark.usefixtures("seeded")
def test_calls_page_lists_newest_first_with_numbers_masked(client: FlaskClient) -> None:
    page = client.get("/calls/").get_data(as_text=True)
    assert SIDS.findall(page) == ["CA0004", "CA0003", "CA0002", "CA0001"]
    assert CALLER not in page and "7911123456" not in page and "07911 123456" not in page
    assert "456</td>" in page and "withheld" in page


@pytest.mark.usefixtures("seeded")
def test_search_finds_a_number_however_it_is_typed(client: FlaskClient) -> None:
    for typed in ("07911 123456", "+44 7911 123456", "07911123456", "+447911123456"):
        assert listed(client, f"q={typed.replace('+', '%2B')}") == ["CA0003", "CA0001"]


@pytest.mark.usefixtures("seeded")
def test_search_by_case_reference(app: Flask, client: FlaskClient) -> None:
    reference = case_reference(app, "CA0002")
    assert listed(client, f"q={reference.lower()}") == ["CA0002"]
    opened = client.get(f"/calls/?q={reference}&open=1")
    assert opened.headers["Location"] == f"/cases/{reference}"


@pytest.mark.usefixtures("seeded")
def test_unreadable_search_matches_nothing_and_says_why(client: FlaskClient) -> None:
    page = client.get("/calls/?q=hello").get_data(as_text=True)
    assert SIDS.findall(page) == []
    assert "is not a phone number or a case reference" in page


@pytest.mark.usefixtures("seeded")
def test_a_date_that_is_not_a_date_is_said_back(client: FlaskClient) -> None:
    """A hand-typed `since` that is not a date is named, and every day's calls are shown."""
    page = client.get("/calls/?since=31/11/2026&until=2026-13-01").get_data(as_text=True)
    assert "“31/11/2026” is not a date (like 2026-11-24)" in page
    assert "“2026-13-01” is not a date" in page
    assert SIDS.findall(page) == listed(client) != []


def test_filters_by_outcome_line_withheld_and_date(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    ring(twilio, "CA0005", CALLER, TUESDAY_10AM.replace(day=20), "answered")
    login_as("handler")
    assert listed(client, "outcome=missed") == ["CA0002"]
    assert listed(client, "outcome=ringing") == ["CA0004"]
    assert listed(client, "outcome=answered") == ["CA0003", "CA0001", "CA0005"]
    assert listed(client, "line=out_of_hours") == ["CA0004", "CA0003"]
    assert listed(client, "withheld=yes") == ["CA0004"]
    assert listed(client, "since=2026-11-24&until=2026-11-24") == [
        "CA0004", "CA0003", "CA0002", "CA0001"
    ]  # fmt: skip
    assert listed(client, "until=2026-11-23") == ["CA0005"]


@pytest.mark.usefixtures("seeded")
def test_bad_filter_values_are_ignored_not_errors(client: FlaskClient) -> None:
    assert len(listed(client, "since=yesterday&line=moon&outcome=%00&withheld=maybe")) == 4


def test_page_polls_a_partial_that_shows_new_calls(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    login_as("handler")
    page = client.get("/calls/?line=harmony").get_data(as_text=True)
    assert 'hx-get="/calls/rows?line=harmony"' in page
    assert 'hx-trigger="every 5s"' in page
    ring(twilio, "CA0009", CALLER, TUESDAY_10AM, "live")
    partial = client.get("/calls/rows?line=harmony", headers={"X-Helpline-Poll": "1"})
    body = partial.get_data(as_text=True)
    assert "<html" not in body
    assert SIDS.findall(body) == ["CA0009"]
    assert 'id="live-CA0009"' in body and "In the menu" in body


def test_home_sends_staff_to_the_calls_page(
    client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    assert client.get("/").headers["Location"].startswith("/login")
    login_as("handler")
    assert client.get("/").headers["Location"] == "/calls/"


def live_item(page: str, sid: str) -> str:
    """Return the HTML of one call in the "on the line now" list."""
    match = re.search(rf'<li id="live-{sid}".*?</li>', page, re.DOTALL)
    assert match, f"{sid} is not listed as live"
    return match.group(0)


def table_row(page: str, sid: str) -> str:
    """Return the HTML of one call's row in the table of earlier calls."""
    match = re.search(rf'<tr id="call-{sid}".*?</tr>', page, re.DOTALL)
    assert match, f"{sid} is not in the table of earlier calls"
    return match.group(0)


def set_clock(app: Flask, instant: datetime) -> None:
    """Set the app's clock, as the live list reads it."""
    app.extensions["helpline.clock"] = lambda: instant


def flag_case(app: Flask, sid: str, safe: bool | None, trigger: bool) -> None:
    """Record a case's safe-to-call-back flag and Community Trigger, as a handler would."""
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.case_id is not None
        session.add(CaseDetail(case_id=call.case_id, safe_to_call_back=safe,
                               community_trigger=trigger))  # fmt: skip


def test_live_calls_are_pinned_on_top_with_where_they_are_and_for_how_long(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM.replace(minute=30), "answered")
    ring(twilio, "CA0002", OTHER_CALLER, TUESDAY_10AM, "live")
    login_as("handler")
    set_clock(app, TUESDAY_10AM + timedelta(seconds=3))
    page = client.get("/calls/").get_data(as_text=True)
    assert SIDS.findall(page) == ["CA0002", "CA0001"]  # the live call first, though older
    assert "In the menu" in live_item(page, "CA0002") and "for 0:03" in live_item(page, "CA0002")
    set_clock(app, TUESDAY_10AM + timedelta(seconds=65))  # silent: the menu put them through
    live = live_item(client.get("/calls/").get_data(as_text=True), "CA0002")
    assert "Ringing the Harmony line" in live and "for 1:05" in live and "Stale" not in live
    set_clock(app, TUESDAY_10AM + timedelta(minutes=10))
    live = live_item(client.get("/calls/").get_data(as_text=True), "CA0002")
    assert "Talking to the Harmony line" in live and "for 10:00" in live


def test_a_live_call_not_heard_of_for_hours_is_marked_stale(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    ring(twilio, "CA0003", CALLER, TUESDAY_10AM, "live")
    ring(twilio, "CA0004", OTHER_CALLER, TUESDAY_10AM.replace(hour=13), "live")
    login_as("handler")
    set_clock(app, TUESDAY_10AM.replace(hour=13, minute=1))
    page = client.get("/calls/").get_data(as_text=True)
    assert SIDS.findall(page) == ["CA0004", "CA0003"]  # fresh calls before stale ones
    assert "Stale: nothing heard for 3 h 1 min" in live_item(page, "CA0003")
    assert "Stale" not in live_item(page, "CA0004")


def test_each_call_shows_how_many_times_the_case_has_called_and_its_safety_flag(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    for number, sid in enumerate(("CA0011", "CA0012", "CA0013")):
        ring(twilio, sid, CALLER, TUESDAY_10AM + timedelta(hours=number), "answered")
    ring(twilio, "CA0014", CALLER, TUESDAY_10AM.replace(hour=14), "live")
    ring(twilio, "CA0015", OTHER_CALLER, TUESDAY_10AM, "answered")
    flag_case(app, "CA0011", safe=False, trigger=True)
    login_as("handler")
    page = client.get("/calls/").get_data(as_text=True)
    live = live_item(page, "CA0014")
    assert "4th call" in live and "NO — do not call" in live and "Community Trigger" in live
    assert "First call" in table_row(page, "CA0011") and "3rd call" in table_row(page, "CA0013")
    other = table_row(page, "CA0015")
    assert "Not known — ask first" in other and "Community Trigger" not in other


def test_outcomes_name_the_line_that_answered_never_missed_when_answered(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    ring(twilio, "CA0021", CALLER, TUESDAY_10AM, "missed")
    twilio.at(TUESDAY_10AM).post("/voice/incoming", incoming_params("CA0022", OTHER_CALLER))
    twilio.post("/voice/dial/harmony", dial_params("CA0022", OTHER_CALLER, "no-answer"))
    twilio.post("/voice/dial/out_of_hours", dial_params("CA0022", OTHER_CALLER, "completed", 80))
    end = TUESDAY_10AM + timedelta(minutes=2)
    twilio.post("/voice/status", status_params("CA0022", OTHER_CALLER, "completed", 5, end, 120))
    login_as("handler")
    page = client.get("/calls/").get_data(as_text=True)
    rerouted = table_row(page, "CA0022")
    assert "Answered by the Victim Support 24/7 support line" in rerouted
    assert "Missed" not in rerouted and "Harmony line" in rerouted  # routed there first
    assert ">Missed<" in table_row(page, "CA0021")
    assert "out_of_hours" not in re.sub(r'value="[^"]*"', "", page)  # words, not codes


def test_a_poll_announces_new_calls_only_in_the_status_message(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    ring(twilio, "CA0031", CALLER, TUESDAY_10AM, "answered")
    login_as("handler")
    page = client.get("/calls/").get_data(as_text=True)
    assert page.count("aria-live") == 1
    assert '<p id="calls-news" class="news" role="status" aria-live="polite"></p>' in page
    seen = re.search(r'id="calls-seen" name="seen" value="(\d+)"', page)
    assert seen and 'hx-include="#calls-seen"' in page
    quiet = client.get(f"/calls/rows?seen={seen.group(1)}").get_data(as_text=True)
    assert "hx-swap-oob" not in quiet
    ring(twilio, "CA0032", OTHER_CALLER, TUESDAY_10AM.replace(minute=5), "live")
    ring(twilio, "CA0033", OTHER_CALLER, TUESDAY_10AM.replace(minute=6), "answered")
    news = client.get(f"/calls/rows?seen={seen.group(1)}").get_data(as_text=True)
    assert re.search(r'hx-swap-oob="innerHTML:#calls-news">2 new calls at \d\d:\d\d<', news)
    after = re.search(r'id="calls-seen" name="seen" value="(\d+)"', news)
    assert after and int(after.group(1)) > int(seen.group(1))
