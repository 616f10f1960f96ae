"""The callback queue: requests and missed in-hours calls, due times, consent, done/failed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry, Call, CallbackRequest
from tests.auth_actions import AuthActions
from tests.handler_calls import (
    CALLER,
    LONDON,
    OTHER_CALLER,
    TUESDAY_8PM,
    TUESDAY_10AM,
    case_reference,
    ring,
)
from tests.twilio_client import TwilioClient

ROWS = re.compile(r'data-kind="([a-z_]+)" data-id="(\d+)"')


def queue(client: FlaskClient) -> list[tuple[str, str]]:
    """Return the queue as (kind, id) pairs, in page order."""
    page = client.get("/callbacks/")
    assert page.status_code == 200
    return ROWS.findall(page.get_data(as_text=True))


def request_callback(app: Flask, sid: str, safe: bool, message: bool) -> int:
    """Add the callback request the IVR records when a caller asks for one."""
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.case_id is not None
        request = CallbackRequest(case_id=call.case_id, call_id=call.id, number=call.from_number,
                                  safe_to_call=safe, may_leave_message=message,
                                  requested_at=call.started_at)  # fmt: skip
        session.add(request)
        session.flush()
        return request.id


def call_id(app: Flask, sid: str) -> int:
    """Return a call's id."""
    with get_database(app).transaction() as session:
        return session.scalars(select(Call.id).where(Call.call_sid == sid)).one()


def at(app: Flask, instant: datetime) -> None:
    """Set the app clock."""
    app.extensions["helpline.clock"] = lambda: instant


def test_queue_holds_requests_and_missed_in_hours_calls_oldest_first(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", OTHER_CALLER, TUESDAY_10AM.replace(hour=11), "missed")
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM, "answered")
    ring(twilio, "CA0003", "+447700900555", TUESDAY_8PM, "missed")  # out of hours
    ring(twilio, "CA0004", "anonymous", TUESDAY_10AM.replace(hour=12), "missed")  # no number
    requested = request_callback(app, "CA0002", safe=True, message=False)
    at(app, TUESDAY_10AM.replace(hour=16))
    auth.login_as("handler")
    assert queue(client) == [
        ("request", str(requested)),
        ("missed_call", str(call_id(app, "CA0001"))),
    ]


def test_due_time_is_one_working_day_and_consent_is_shown(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=LONDON)
    ring(twilio, "CA0001", CALLER, friday_4pm, "answered")
    request_callback(app, "CA0001", safe=True, message=False)
    at(app, friday_4pm + timedelta(hours=1))
    auth.login_as("handler")
    page = client.get("/callbacks/").get_data(as_text=True)
    assert "Mon 30 Nov 2026 16:00" in page  # 1h on Friday + 7h on Monday
    assert '<span class="flag yes">Yes</span>' in page and '<span class="flag no">No</span>' in page
    assert "(overdue)" not in page
    at(app, datetime(2026, 11, 30, 16, 30, tzinfo=LONDON))
    auth.login_as("handler")
    assert "(overdue)" in client.get("/callbacks/").get_data(as_text=True)


def test_a_later_answered_call_clears_the_missed_call(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM.replace(hour=11), "answered")
    auth.login_as("handler")
    assert queue(client) == []


def test_marking_a_missed_call_done_records_the_callback(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    at(app, TUESDAY_10AM.replace(hour=14))
    email = auth.login_as("handler")
    missed = call_id(app, "CA0001")
    response = auth.post(
        f"/callbacks/missed/{missed}", {"result": "done", "outcome": "Spoke to caller"}
    )
    assert response.status_code == 302
    assert queue(client) == []
    with get_database(app).transaction() as session:
        made = session.scalars(select(CallbackRequest)).one()
        actions = session.scalars(select(AuditEntry.action)).all()
    assert (made.status, made.outcome, made.completed_by, made.source) == (
        "done",
        "Spoke to caller",
        email,
        "missed_call",
    )
    assert made.completed_at == TUESDAY_10AM.replace(hour=14)
    assert "callback_done" in actions
    again = auth.post(f"/callbacks/missed/{missed}", {"result": "done", "outcome": "x"})
    assert again.status_code == 302
    assert "no longer waiting" in client.get("/callbacks/").get_data(as_text=True)


def test_failed_callback_needs_an_outcome_and_bad_results_are_refused(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    requested = request_callback(app, "CA0001", safe=True, message=True)
    at(app, TUESDAY_10AM.replace(hour=11))
    auth.login_as("handler")
    auth.post(f"/callbacks/requests/{requested}", {"result": "failed", "outcome": ""})
    assert "Say what happened" in client.get("/callbacks/").get_data(as_text=True)
    auth.post(f"/callbacks/requests/{requested}", {"result": "maybe", "outcome": "x"})
    assert queue(client) == [("request", str(requested))]
    auth.post(f"/callbacks/requests/{requested}", {"result": "failed", "outcome": "No answer"})
    assert queue(client) == []
    with get_database(app).transaction() as session:
        assert session.get(CallbackRequest, requested).status == "failed"  # type: ignore[union-attr]


def test_queue_shows_masked_numbers_and_links_the_case(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    auth.login_as("handler")
    page = client.get("/callbacks/").get_data(as_text=True)
    assert CALLER not in page and "456" in page
    assert f"/cases/{case_reference(app, 'CA0001')}" in page
