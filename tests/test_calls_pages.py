"""The live and recent calls page: masking, search in any format, filters, htmx polling."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.handler_calls import (
    CALLER,
    OTHER_CALLER,
    TUESDAY_8PM,
    TUESDAY_10AM,
    case_reference,
    ring,
)
from tests.twilio_client import TwilioClient

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


def test_calls_page_lists_newest_first_with_numbers_masked(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    login_as("handler")
    page = client.get("/calls/").get_data(as_text=True)
    assert SIDS.findall(page) == ["CA0004", "CA0003", "CA0002", "CA0001"]
    assert CALLER not in page and "7911123456" not in page and "07911 123456" not in page
    assert "456</td>" in page and "withheld" in page


def test_search_finds_a_number_however_it_is_typed(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    login_as("handler")
    for typed in ("07911 123456", "+44 7911 123456", "07911123456", "+447911123456"):
        assert listed(client, f"q={typed.replace('+', '%2B')}") == ["CA0003", "CA0001"]


def test_search_by_case_reference(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    login_as("handler")
    reference = case_reference(app, "CA0002")
    assert listed(client, f"q={reference.lower()}") == ["CA0002"]
    opened = client.get(f"/calls/?q={reference}&open=1")
    assert opened.headers["Location"] == f"/cases/{reference}"


def test_unreadable_search_matches_nothing_and_says_why(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    login_as("handler")
    page = client.get("/calls/?q=hello").get_data(as_text=True)
    assert SIDS.findall(page) == []
    assert "is not a phone number or a case reference" in page


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


def test_bad_filter_values_are_ignored_not_errors(
    twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    seed(twilio)
    login_as("handler")
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
    assert "ringing" in body


def test_home_sends_staff_to_the_calls_page(
    client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    assert client.get("/").headers["Location"].startswith("/login")
    login_as("handler")
    assert client.get("/").headers["Location"] == "/calls/"
