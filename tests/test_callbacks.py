"""The callback queue: one row per case, due times in UK time, attempts, retries and the count."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.test import TestResponse

from helpline.db import get_database
from helpline.models import AuditEntry, Call, CallbackAttempt, CallbackRequest
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
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

ROWS = re.compile(r'data-reference="([A-Z0-9-]+)"')
ITEMS = re.compile(r'data-kind="([a-z_]+)" data-id="(\d+)"')


def queue(client: FlaskClient) -> list[str]:
    """Return the queue's case references, in page order."""
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


def attempt(
    auth: AuthActions, reference: str, result: str, note: str = "", back: str = "queue"
) -> TestResponse:
    """Post the attempt form for a case."""
    form = {"result": result, "note": note, "back": back}
    return auth.post(f"/callbacks/cases/{reference}/attempts", form)


def test_queue_has_one_row_per_case_oldest_first(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", OTHER_CALLER, TUESDAY_10AM.replace(hour=11), "missed")
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM, "missed")
    ring(twilio, "CA0003", CALLER, TUESDAY_10AM.replace(hour=12), "missed")
    ring(twilio, "CA0004", "+447700900555", TUESDAY_8PM, "missed")  # out of hours
    ring(twilio, "CA0005", "anonymous", TUESDAY_10AM.replace(hour=12), "missed")  # no number
    requested = request_callback(app, "CA0003", safe=True, message=False)
    at(app, TUESDAY_10AM.replace(hour=16))
    auth.login_as("handler")
    mine, other = case_reference(app, "CA0002"), case_reference(app, "CA0001")
    assert queue(client) == [mine, other]
    page = client.get("/callbacks/").get_data(as_text=True)
    assert ITEMS.findall(page) == [
        ("missed_call", str(call_id(app, "CA0002"))),
        ("request", str(requested)),  # asked for on CA0003, so that call is not listed again
        ("missed_call", str(call_id(app, "CA0001"))),
    ]


def test_due_time_is_one_working_day_in_uk_time_and_overdue_is_counted_in_the_nav(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=LONDON)
    ring(twilio, "CA0001", CALLER, friday_4pm, "answered")
    request_callback(app, "CA0001", safe=True, message=False)
    at(app, friday_4pm + timedelta(hours=1))
    auth.login_as("handler")
    page = client.get("/callbacks/").get_data(as_text=True)
    assert "Mon 30 Nov 2026 16:00" in page  # 1h on Friday + 7h on Monday
    assert "The caller said: safe to call yes, message no" in page
    assert "(overdue)" not in page and 'Callbacks <span class="badge">(1 owed)</span>' in page
    at(app, datetime(2026, 11, 30, 16, 30, tzinfo=LONDON))
    auth.login_as("handler")
    page = client.get("/calls/").get_data(as_text=True)
    assert '<span class="badge urgent">(1 owed, 1 overdue)</span>' in page
    assert "(overdue)" in client.get("/callbacks/").get_data(as_text=True)


def test_a_later_answered_call_clears_the_missed_call(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM.replace(hour=11), "answered")
    auth.login_as("handler")
    assert queue(client) == []
    assert 'class="badge' not in client.get("/callbacks/").get_data(as_text=True)


def test_a_call_the_support_line_answered_is_not_called_a_missed_call(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    twilio.at(TUESDAY_10AM).post("/voice/incoming", incoming_params("CA0001", CALLER))
    twilio.post("/voice/dial/harmony", dial_params("CA0001", CALLER, "no-answer"))
    twilio.post("/voice/dial/out_of_hours", dial_params("CA0001", CALLER, "completed", talk=300))
    end = TUESDAY_10AM + timedelta(minutes=6)
    twilio.at(end).post("/voice/status", status_params("CA0001", CALLER, "completed", 5, end, 360))
    auth.login_as("handler")
    page = client.get("/callbacks/").get_data(as_text=True)
    assert "Answered by the Victim Support 24/7 support line" in page
    assert "Missed call" not in page
    rows = client.get("/calls/rows").get_data(as_text=True)
    assert "Answered by the Victim Support 24/7 support line" in rows, rows


def test_no_answer_keeps_it_open_and_records_the_attempt(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    reference = case_reference(app, "CA0001")
    at(app, TUESDAY_10AM.replace(hour=14))
    auth.login_as("handler")
    assert attempt(auth, reference, "no_answer", "Rang twice").status_code == 302
    assert queue(client) == [reference]
    page = client.get("/callbacks/").get_data(as_text=True)
    assert "Tue 24 Nov 2026 14:00</time> · Test Handler · no answer: Rang twice" in page
    at(app, TUESDAY_10AM.replace(hour=15))
    auth.login_as("handler")
    assert attempt(auth, reference, "done", "Spoke to her").status_code == 302
    assert queue(client) == []
    with get_database(app).transaction() as session:
        made = session.scalars(select(CallbackRequest)).one()
        results = session.scalars(select(CallbackAttempt.result).order_by(CallbackAttempt.id))
        actions = session.scalars(select(AuditEntry.action)).all()
        assert list(results) == ["no_answer", "done"]
    assert (made.status, made.outcome, made.source) == ("done", "Spoke to her", "missed_call")
    assert made.completed_at == TUESDAY_10AM.replace(hour=15)
    assert {"callback_no_answer", "callback_done"} <= set(actions)
    again = attempt(auth, reference, "done", "x")
    assert again.status_code == 400 and "not owed a callback" in again.get_data(as_text=True)


def test_failed_needs_a_reason_and_the_form_says_so(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    requested = request_callback(app, "CA0001", safe=True, message=True)
    reference = case_reference(app, "CA0001")
    at(app, TUESDAY_10AM.replace(hour=11))
    auth.login_as("handler")
    refused = attempt(auth, reference, "failed", "  ")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Give the reason the callback failed." in page
    assert 'aria-invalid="true"' in page and 'value="failed" required checked' in page
    assert attempt(auth, reference, "maybe", "x").status_code == 400
    assert queue(client) == [reference]
    attempt(auth, reference, "failed", "Number no longer in use")
    assert queue(client) == []
    with get_database(app).transaction() as session:
        request = session.get_one(CallbackRequest, requested)
        assert (request.status, request.outcome) == ("failed", "Number no longer in use")


def test_the_case_page_shows_what_is_owed_with_its_due_time_and_actions(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    request_callback(app, "CA0001", safe=True, message=False)
    reference = case_reference(app, "CA0001")
    at(app, TUESDAY_10AM.replace(hour=11))
    auth.login_as("handler")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Due Wed 25 Nov 2026 10:00 (UK time)" in page and 'name="back" value="case"' in page
    refused = attempt(auth, reference, "failed", "", back="case")
    assert refused.status_code == 400
    assert f"Case {reference}" in refused.get_data(as_text=True)
    response = attempt(auth, reference, "no_answer", back="case")
    assert response.headers["Location"].endswith(f"/cases/{reference}")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Callback attempt: no answer, to try again" in page and "Test Handler" in page


def test_queue_shows_masked_numbers_links_the_case_and_needs_a_handler(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    reference = case_reference(app, "CA0001")
    assert client.get("/callbacks/").status_code == 302
    assert client.post(f"/callbacks/cases/{reference}/attempts").status_code in (302, 400)
    auth.login_as("handler")
    page = client.get("/callbacks/").get_data(as_text=True)
    assert CALLER not in page and "456" in page
    assert f"/cases/{reference}" in page
    assert client.post(f"/callbacks/cases/{reference}/attempts", data={"result": "done"}) \
        .status_code == 400  # no CSRF token  # fmt: skip


def test_merging_moves_attempts_and_retention_clears_their_notes(
    app: Flask, twilio: TwilioClient, auth: AuthActions, runner: FlaskCliRunner
) -> None:
    long_ago = TUESDAY_10AM - timedelta(weeks=114)  # a Tuesday, past the 730 days kept
    ring(twilio, "CA0001", CALLER, long_ago, "missed")
    ring(twilio, "CA0002", OTHER_CALLER, long_ago + timedelta(minutes=5), "answered")
    source, target = case_reference(app, "CA0001"), case_reference(app, "CA0002")
    at(app, long_ago + timedelta(hours=1))
    auth.login_as("handler")
    attempt(auth, source, "no_answer", "Her sister answered")
    auth.post(f"/cases/{source}/merge", {"target": target})
    with get_database(app).transaction() as session:
        moved = session.scalars(select(CallbackAttempt)).one()
        assert moved.case_id == session.scalars(select(Call.case_id).where(
            Call.call_sid == "CA0002")).one()  # fmt: skip
    at(app, TUESDAY_10AM)
    assert runner.invoke(args=["jobs", "run", "retention"]).exit_code == 0
    with get_database(app).transaction() as session:
        kept = session.scalars(select(CallbackAttempt)).one()
        assert (kept.note, kept.result) == ("", "no_answer")
