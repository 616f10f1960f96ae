"""Supervisors add, end and remove closures; routing follows at once; the calendar shows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry, Closure, utcnow
from tests.auth_actions import AuthActions
from tests.twilio_client import TwilioClient, dialled_numbers, incoming_params, twiml

LONDON = ZoneInfo("Europe/London")
HARMONY, SUPPORT = "+443301757258", "+448081689111"


def next_weekday_at(weekday: int, hour: int) -> datetime:
    """Return `weekday` (0 = Monday) at `hour`, local, in the second week of March next year.

    The routing cache keeps only closures that have not ended by the real clock, so the tests
    live in the future; that week has no bank holiday and no clock change.
    """
    first = date(utcnow().year + 1, 3, 8)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    return datetime.combine(day, time(hour), tzinfo=LONDON)


@pytest.fixture
def supervisor(app: Flask, auth: AuthActions) -> AuthActions:
    """Sign in as a supervisor with the app's clock on a Wednesday at 10am."""
    app.extensions["helpline.clock"] = lambda: next_weekday_at(2, 10).astimezone(UTC)
    auth.login_as("supervisor")
    return auth


@pytest.fixture
def twilio(app: Flask) -> TwilioClient:
    """Return Twilio's side on its own client: webhooks never carry a staff member's cookies."""
    return TwilioClient(app, app.test_client())


def routed_to(twilio: TwilioClient, at: datetime, sid: str = "CA" + "1" * 32) -> str:
    """Return the number a call at an instant is dialled to, then put the app's clock back."""
    clock = twilio.app.extensions["helpline.clock"]
    document = twiml(twilio.at(at).post("/voice/incoming", incoming_params(sid, "+447911123456")))
    twilio.app.extensions["helpline.clock"] = clock
    return dialled_numbers(document)[0]


def closures(app: Flask) -> list[Closure]:
    """Return every closure row."""
    with get_database(app).transaction() as session:
        return list(session.scalars(select(Closure).order_by(Closure.id)))


def audit_actions(app: Flask) -> list[str]:
    """Return the audit log's actions on closures, oldest first."""
    with get_database(app).transaction() as session:
        query = select(AuditEntry.action).where(AuditEntry.target.like("closure %"))
        return list(session.scalars(query.order_by(AuditEntry.id)))


@pytest.mark.parametrize("path", ["/closures/", "/closures/close-now", "/closures/1/end"])
def test_handlers_are_refused(
    client: FlaskClient, auth: AuthActions, login_as: Callable[[str], str], path: str
) -> None:
    page = client.get(path) if path.endswith("/") else client.post(path)
    assert page.status_code in (302, 400)  # anonymous: to the login page (or no CSRF token)
    login_as("handler")
    assert (client.get(path) if path.endswith("/") else auth.post(path)).status_code == 403


def test_close_now_sends_calls_to_the_support_line_at_once(
    app: Flask, client: FlaskClient, supervisor: AuthActions, twilio: TwilioClient
) -> None:
    now = next_weekday_at(2, 10)
    assert routed_to(twilio, now) == HARMONY
    until = (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    twilio.at(now)
    response = supervisor.post("/closures/close-now", {"until": until, "reason": "fire drill"})
    assert response.status_code == 302
    [closure] = closures(app)
    assert (closure.kind, closure.reason, closure.set_by) == (
        "closed", "fire drill", "Test Supervisor <supervisor@example.org>"
    )  # fmt: skip
    assert closure.ends_at == (now + timedelta(hours=2)).astimezone(UTC)
    assert routed_to(twilio, now + timedelta(minutes=1), "CA" + "2" * 32) == SUPPORT
    assert audit_actions(app) == ["closure_close-now"]


def test_ending_a_closure_reopens_the_line(
    app: Flask, supervisor: AuthActions, twilio: TwilioClient
) -> None:
    now = next_weekday_at(2, 10)
    until = (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    twilio.at(now)
    supervisor.post("/closures/close-now", {"until": until, "reason": "power cut"})
    [closure] = closures(app)
    twilio.at(now + timedelta(minutes=30))
    assert supervisor.post(f"/closures/{closure.id}/end").status_code == 302
    assert closures(app)[0].ends_at == (now + timedelta(minutes=30)).astimezone(UTC)
    assert routed_to(twilio, now + timedelta(minutes=31), "CA" + "3" * 32) == HARMONY
    assert audit_actions(app) == ["closure_close-now", "closure_end"]


def test_a_day_off_shows_in_the_calendar_and_can_be_removed(
    app: Flask, client: FlaskClient, supervisor: AuthActions, twilio: TwilioClient
) -> None:
    friday = next_weekday_at(4, 12)
    form = {"day": friday.date().isoformat(), "reason": "team away day"}
    assert supervisor.post("/closures/day-off", form).status_code == 302
    page = client.get("/closures/").get_data(as_text=True)
    row = re.search(rf'data-day="{friday.date().isoformat()}">(.*?)</tr>', page, re.S)
    assert row and 'data-open="true"' not in row.group(1)
    assert "closure: team away day" in row.group(1)
    assert routed_to(twilio, friday) == SUPPORT
    [closure] = closures(app)
    assert supervisor.post(f"/closures/{closure.id}/remove").status_code == 302
    assert closures(app) == []
    assert routed_to(twilio, friday, "CA" + "4" * 32) == HARMONY
    assert audit_actions(app) == ["closure_day-off", "closure_remove"]


def test_opening_on_a_saturday(
    app: Flask, client: FlaskClient, supervisor: AuthActions, twilio: TwilioClient
) -> None:
    saturday = next_weekday_at(5, 11)
    form = {"day": saturday.date().isoformat(), "opens": "10:00", "closes": "14:00",
            "reason": "community event"}  # fmt: skip
    assert supervisor.post("/closures/open-day", form).status_code == 302
    assert routed_to(twilio, saturday) == HARMONY
    assert routed_to(twilio, saturday + timedelta(hours=4), "CA" + "5" * 32) == SUPPORT
    page = client.get("/closures/").get_data(as_text=True)
    assert re.search(r"10:00.14:00\s+Harmony line open \(opening: community event\)", page)


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/closures/close-now", {"until": "2020-01-01T10:00", "reason": "x"}, "in the future"),
        ("/closures/day-off", {"day": "2026-05-05", "reason": " "}, "Give a reason"),
        ("/closures/open-day", {"day": "2099-05-02", "opens": "14:00", "closes": "10:00",
                                "reason": "x"}, "close after it opens"),
        ("/closures/day-off", {"day": "not a day", "reason": "x"}, "Not a valid date"),
    ],
)  # fmt: skip
def test_bad_forms_are_explained_and_change_nothing(
    app: Flask, supervisor: AuthActions, path: str, form: dict[str, str], message: str
) -> None:
    response = supervisor.post(path, form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert closures(app) == []


def test_the_page_shows_fourteen_days(client: FlaskClient, supervisor: AuthActions) -> None:
    page = client.get("/closures/").get_data(as_text=True)
    assert len(re.findall(r'<tr data-day="', page)) == 14
    assert "Harmony line open (in hours)" in page
