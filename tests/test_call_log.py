"""The call-event log: idempotent, order-tolerant, monotonic, grouped into cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from helpline.db import get_database
from helpline.models import Call, CallEvent, Case
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

CALLER = "+447911123456"
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def the_call(app: Flask, sid: str) -> Call:
    """Return one call by its CallSid, with its case loaded."""
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        _ = call.case
        return call


def count(app: Flask, model: type) -> int:
    """Return how many rows a table has."""
    with get_database(app).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def answered_call(twilio: TwilioClient, sid: str = "CA100", caller: str = CALLER) -> None:
    """Play a normal answered call: incoming, ringing, in-progress, dial completed, completed."""
    twilio.at(T0).post("/voice/incoming", incoming_params(sid, caller))
    twilio.post("/voice/status", status_params(sid, caller, "ringing", 0, T0))
    twilio.post(
        "/voice/status", status_params(sid, caller, "in-progress", 1, T0 + timedelta(seconds=8))
    )
    twilio.post("/voice/dial/harmony", dial_params(sid, caller, "completed", talk=95))
    twilio.post(
        "/voice/status",
        status_params(sid, caller, "completed", 2, T0 + timedelta(seconds=110), 110),
    )


def test_answered_call_state(app: Flask, twilio: TwilioClient) -> None:
    """Each event updates status, times, duration, talk time and dial outcome."""
    answered_call(twilio)
    call = the_call(app, "CA100")
    assert (call.status, call.dial_status, call.dial_line) == ("completed", "completed", "harmony")
    assert (call.duration_seconds, call.talk_seconds) == (110, 95)
    assert call.answered_at == T0 + timedelta(seconds=8)
    assert call.ended_at == T0 + timedelta(seconds=110)
    assert (call.route_open, call.route_line, call.route_reason) == (True, "harmony", "in hours")
    assert call.from_number == CALLER and call.to_number == "+441785000000"
    assert call.case is not None and call.case.caller_number == CALLER
    assert count(app, CallEvent) == 5


def test_repeated_events_change_nothing(app: Flask, twilio: TwilioClient) -> None:
    """Twilio's retries are recorded once."""
    answered_call(twilio)
    answered_call(twilio)
    assert count(app, CallEvent) == 5
    assert count(app, Call) == 1
    assert count(app, Case) == 1


def test_older_event_never_overwrites_newer(app: Flask, twilio: TwilioClient) -> None:
    """Completed, then a late ringing and in-progress: the call stays completed."""
    sid = "CA200"
    twilio.at(T0).post("/voice/incoming", incoming_params(sid, CALLER))
    twilio.post(
        "/voice/status", status_params(sid, CALLER, "completed", 3, T0 + timedelta(seconds=60), 60)
    )
    twilio.post(
        "/voice/status", status_params(sid, CALLER, "in-progress", 1, T0 + timedelta(seconds=5))
    )
    twilio.post("/voice/status", status_params(sid, CALLER, "ringing", 0, T0))
    call = the_call(app, sid)
    assert call.status == "completed"
    assert call.duration_seconds == 60
    assert call.ended_at == T0 + timedelta(seconds=60)
    assert call.last_sequence == 3
    assert call.answered_at == T0 + timedelta(seconds=5)  # still learnt from the late event
    assert count(app, CallEvent) == 4  # every event is kept in the log


def test_sequence_beats_timestamp(app: Flask, twilio: TwilioClient) -> None:
    """Between two final statuses, the higher SequenceNumber wins even with an odd Timestamp."""
    sid = "CA300"
    twilio.post("/voice/status", status_params(sid, CALLER, "busy", 2, T0 + timedelta(seconds=9)))
    twilio.post(
        "/voice/status", status_params(sid, CALLER, "no-answer", 1, T0 + timedelta(seconds=30))
    )
    assert the_call(app, sid).status == "busy"


def test_event_for_unknown_call_creates_it(app: Flask, twilio: TwilioClient) -> None:
    """A status callback for a call never announced still creates the call and its case."""
    twilio.post("/voice/status", status_params("CA400", CALLER, "completed", 4, T0, 42))
    call = the_call(app, "CA400")
    assert (call.status, call.duration_seconds, call.from_number) == ("completed", 42, CALLER)
    assert call.started_at == T0
    assert call.route_line is None  # we never routed it, so we do not pretend we did
    assert call.case is not None and call.case.caller_number == CALLER


def test_incoming_after_status_keeps_final_state(app: Flask, twilio: TwilioClient) -> None:
    """The incoming webhook arriving late adds the route but does not reopen the call."""
    sid = "CA500"
    twilio.post(
        "/voice/status", status_params(sid, CALLER, "completed", 2, T0 + timedelta(seconds=30), 30)
    )
    twilio.at(T0).post("/voice/incoming", incoming_params(sid, CALLER))
    call = the_call(app, sid)
    assert (call.status, call.route_line, call.started_at) == ("completed", "harmony", T0)


def test_support_line_outcome_supersedes_harmony(app: Flask, twilio: TwilioClient) -> None:
    """Harmony unanswered, then the support line answers: the support line's outcome stands."""
    sid = "CA600"
    twilio.at(T0).post("/voice/incoming", incoming_params(sid, CALLER))
    twilio.post("/voice/dial/out_of_hours", dial_params(sid, CALLER, "completed", talk=300))
    twilio.post("/voice/dial/harmony", dial_params(sid, CALLER, "no-answer"))  # late duplicate path
    call = the_call(app, sid)
    assert (call.dial_line, call.dial_status, call.talk_seconds) == (
        "out_of_hours",
        "completed",
        300,
    )


def test_known_caller_reuses_open_case(app: Flask, twilio: TwilioClient) -> None:
    """A second call from the same number, in any format, joins the caller's open case."""
    answered_call(twilio, "CA701", "+447911123456")
    answered_call(twilio, "CA702", "07911 123456")
    assert the_call(app, "CA701").case_id == the_call(app, "CA702").case_id
    assert count(app, Case) == 1


def test_closed_case_means_new_case(app: Flask, twilio: TwilioClient) -> None:
    """Once a case is closed, the caller's next call opens a new one."""
    answered_call(twilio, "CA801")
    with get_database(app).transaction() as session:
        case = session.scalars(select(Case)).one()
        case.status = "closed"
    answered_call(twilio, "CA802")
    assert the_call(app, "CA801").case_id != the_call(app, "CA802").case_id


def test_each_withheld_call_opens_its_own_case(app: Flask, twilio: TwilioClient) -> None:
    """Withheld callers cannot be matched: one case per call, and no number stored."""
    for sid, raw in (("CA901", "+266696687"), ("CA902", "anonymous"), ("CA903", "")):
        answered_call(twilio, sid, raw)
    cases = {the_call(app, sid).case_id for sid in ("CA901", "CA902", "CA903")}
    assert len(cases) == 3
    for sid in ("CA901", "CA902", "CA903"):
        call = the_call(app, sid)
        assert call.withheld and call.from_number is None
        assert call.case is not None and call.case.withheld and call.case.caller_number is None


def test_event_log_keeps_no_caller_number(app: Flask, twilio: TwilioClient) -> None:
    """The immutable log keeps Twilio's fields but not the caller's number."""
    answered_call(twilio)
    with get_database(app).transaction() as session:
        for event in session.scalars(select(CallEvent)):
            assert CALLER not in str(event.params)
            assert event.params["CallSid"] == "CA100"


def test_case_references_are_sequential_per_year(app: Flask, twilio: TwilioClient) -> None:
    """References read HAR-YYYY-NNNNN, numbered in order within the year of the first call."""
    for index in range(3):
        answered_call(twilio, f"CA95{index}", f"+44791112345{index}")
    with get_database(app).transaction() as session:
        references = sorted(session.scalars(select(Case.reference)))
    assert references == ["HAR-2026-00001", "HAR-2026-00002", "HAR-2026-00003"]


def test_dial_and_menu_callbacks_move_the_call_forward(app: Flask, twilio: TwilioClient) -> None:
    """A call in the menu or back from a dial is in progress, not ringing; never moved back."""
    sid = "CA990"
    twilio.at(T0).post("/voice/incoming", incoming_params(sid, CALLER))
    assert the_call(app, sid).status == "ringing"
    twilio.post("/voice/dial/harmony", dial_params(sid, CALLER, "no-answer"))
    assert the_call(app, sid).status == "in-progress"
    twilio.post(
        "/voice/status", status_params(sid, CALLER, "completed", 3, T0 + timedelta(seconds=90), 90)
    )
    late = dial_params(sid, CALLER, "completed", talk=40) | {"CallStatus": "in-progress"}
    twilio.post("/voice/dial/out_of_hours", late)
    assert the_call(app, sid).status == "completed"
