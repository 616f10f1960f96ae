"""Screening and the dialled line's progress, replayed as Twilio signs and sends them."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from xml.etree import ElementTree

from flask import Flask
from sqlalchemy import func, select

from helpline.calls.on_the_line import where_now
from helpline.db import get_database
from helpline.models import Call, CallEvent
from tests.conftest import empty_tables
from tests.flow_helpers import EVENING, IN_HOURS
from tests.twilio_client import (
    ACCOUNT_SID,
    BASE_URL,
    TwilioClient,
    dial_params,
    incoming_params,
    spoken,
    status_params,
    twiml,
)

CALLER, HARMONY = "+447911123456", "+443301757258"
SID, LEG = "CA" + "4" * 32, "CA" + "5" * 32
WHISPER = "Harmony helpline call"


def leg_params(**fields: str) -> dict[str, str]:
    """Return the form of a webhook on the Harmony line's own call (the child leg)."""
    params = {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": LEG}
    params |= {"ParentCallSid": SID, "CallStatus": "in-progress", "Direction": "outbound-dial"}
    return params | {"From": CALLER, "To": HARMONY, "Called": HARMONY, "Caller": CALLER} | fields


def progress(status: str, sequence: int) -> dict[str, str]:
    """Return a progress event of the line's call, as sent to the <Number> statusCallback."""
    moment = format_datetime(IN_HOURS.astimezone(UTC).replace(second=2 * sequence))
    fields = {"CallStatus": status, "SequenceNumber": str(sequence), "Timestamp": moment}
    return leg_params(CallbackSource="call-progress-events", **fields)


def path_of(url: str | None) -> str:
    """Return the path (and query) of one of our own absolute callback URLs."""
    assert url and url.startswith(BASE_URL), url
    return url[len(BASE_URL) :]


def ring_harmony(twilio: TwilioClient) -> ElementTree.Element:
    """Answer an in-hours call (pressing nothing goes straight to the Harmony line)."""
    document = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    number = document.find("Dial/Number")
    assert number is not None and (number.text or "").strip() == HARMONY
    return number


def stored(app: Flask) -> Call:
    """Return the caller's call row."""
    with get_database(app).transaction() as session:
        return session.scalars(select(Call).where(Call.call_sid == SID)).one()


def test_the_harmony_line_is_screened_and_reports_its_progress(twilio: TwilioClient) -> None:
    """<Number> asks for the prompt URL and every progress event; the caller hears neither."""
    document = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    number = document.find("Dial/Number")
    assert number is not None
    assert path_of(number.get("url")) == "/voice/flow/harmony/connect_harmony/screen"
    assert path_of(number.get("statusCallback")) == "/voice/flow/harmony/connect_harmony/leg"
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"
    assert (number.get("method"), number.get("statusCallbackMethod")) == ("POST", "POST")
    assert document.find("Dial").get("answerOnBridge") == "true"  # type: ignore[union-attr]
    assert WHISPER not in spoken(document)


def test_the_prompt_asks_for_1_and_only_1_connects(twilio: TwilioClient) -> None:
    """The answering party hears the words and has a few seconds to press 1."""
    number = ring_harmony(twilio)
    prompt = twiml(twilio.post(path_of(number.get("url")), leg_params()))
    gather = prompt.find("Gather")
    assert gather is not None and WHISPER in spoken(gather)
    assert (gather.get("numDigits"), gather.get("timeout")) == ("1", "6")
    assert gather.get("actionOnEmptyResult") == "true"
    assert [verb.tag for verb in prompt] == ["Gather", "Hangup"]
    action = path_of(gather.get("action"))
    assert list(twiml(twilio.post(action, leg_params(Digits="1")))) == []
    for digits in ("2", ""):
        assert [v.tag for v in twiml(twilio.post(action, leg_params(Digits=digits)))] == ["Hangup"]


def test_a_machine_detected_by_twilio_is_hung_up_at_once(twilio: TwilioClient) -> None:
    """With Twilio's machine detection, a machine never even hears the prompt."""
    number = ring_harmony(twilio)
    reply = twiml(twilio.post(path_of(number.get("url")), leg_params(AnsweredBy="machine_start")))
    assert [verb.tag for verb in reply] == ["Hangup"]


def test_unsigned_screening_is_refused(twilio: TwilioClient) -> None:
    """The prompt webhook is checked like every other webhook."""
    number = ring_harmony(twilio)
    response = twilio.post(path_of(number.get("url")), leg_params(), signed=False)
    assert response.status_code == 403


def test_progress_and_acceptance_are_recorded_once(twilio: TwilioClient, app: Flask) -> None:
    """Ringing and answer times and who answered land on the call; retries add nothing."""
    number = ring_harmony(twilio)
    leg_url = path_of(number.get("statusCallback"))
    for sequence, status in enumerate(("initiated", "ringing", "in-progress")):
        assert twilio.post(leg_url, progress(status, sequence)).status_code == 204
    gather = twiml(twilio.post(path_of(number.get("url")), leg_params())).find("Gather")
    for _retry in range(2):
        twilio.post(path_of(gather.get("action")), leg_params(Digits="1"))  # type: ignore[union-attr]
        twilio.post(leg_url, progress("ringing", 1))
    call = stored(app)
    assert (call.leg_sid, call.leg_line, call.leg_status) == (LEG, "harmony", "in-progress")
    assert call.leg_ringing_at == IN_HOURS.astimezone(UTC).replace(second=2)
    assert call.leg_answered_at == IN_HOURS.astimezone(UTC).replace(second=4)
    assert (call.screening, call.answered_by, call.from_number) == ("accepted", "person", CALLER)
    with get_database(app).transaction() as session:
        count = select(func.count()).where(CallEvent.call_id == call.id)
        assert session.scalar(count.where(CallEvent.kind == "screening")) == 2
        assert session.scalar(count.where(CallEvent.kind == "leg")) == 3


def test_a_declined_line_goes_on_as_for_no_answer(twilio: TwilioClient, app: Flask) -> None:
    """Answered but never connected (DialBridged false): the caller hears the next offer."""
    document = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    number = document.find("Dial/Number")
    gather = twiml(twilio.post(path_of(number.get("url")), leg_params())).find("Gather")  # type: ignore[union-attr]
    twilio.post(path_of(gather.get("action")), leg_params(Digits=""))  # type: ignore[union-attr]
    declined = dial_params(SID, CALLER, "completed", talk=7) | {"DialBridged": "false"}
    declined["DialCallSid"] = LEG
    action = path_of(document.find("Dial").get("action"))  # type: ignore[union-attr]
    offer = twiml(twilio.post(action, declined))
    assert "cannot take your call right now" in spoken(offer)
    call = stored(app)
    assert "connect_harmony:declined" in call.ivr_path
    assert (call.screening, call.answered_by) == ("no_key", "machine_or_declined")
    assert call.waiting_on == "menu"


def test_a_state_that_screens_nothing_hangs_the_line_up(twilio: TwilioClient) -> None:
    """A prompt URL for a step with no screening (or no such step) never connects anything."""
    states = ("harmony/connect_support/screen", "harmony/menu/screen", "nowhere/ring/screened")
    for path in (f"/voice/flow/{state}" for state in states):
        assert [verb.tag for verb in twiml(twilio.post(path, leg_params()))] == ["Hangup"]
    assert twilio.post("/voice/flow/harmony/menu/leg", progress("ringing", 1)).status_code == 204


def test_the_line_heard_of_first_still_gets_the_callers_numbers(
    twilio: TwilioClient, app: Flask
) -> None:
    """Out of order, the line's event makes the row; the caller's event then fills it in."""
    twilio.at(IN_HOURS).post("/voice/flow/harmony/connect_harmony/leg", progress("ringing", 1))
    call = stored(app)
    assert (call.from_number, call.to_number, call.case_id) == (None, None, None)
    twilio.post("/voice/incoming", incoming_params(SID, CALLER))
    call = stored(app)
    assert (call.from_number, call.to_number) == (CALLER, "+441785000000")
    assert call.case_id is not None and call.leg_status == "ringing"


def test_where_now_follows_the_caller_through_menus_and_messages(
    twilio: TwilioClient, app: Flask
) -> None:
    """Ringing the support line, in the menu (callback questions too), leaving a message."""
    names = {"out_of_hours": "the support line"}
    for key, question in (("1", "Record"), ("2", "Gather")):
        menu = support_unanswered(twilio, app, names)
        asked = twiml(twilio.post(path_of(menu.find("Gather").get("action")), press(key)))  # type: ignore[union-attr]
        assert asked.find(question) is not None
        if question == "Record":
            assert where_now(stored(app)) == "leaving a message"
        else:
            action = path_of(asked.find("Gather").get("action"))  # type: ignore[union-attr]
            assert twiml(twilio.post(action, press("1"))).find("Gather") is not None
            assert where_now(stored(app)) == "in the menu"  # the callback's own questions
        twilio.post("/voice/status", status_params(SID, CALLER, "completed", 9, EVENING, 60))
        assert where_now(stored(app)) == "ended"
        empty_tables(app)


def support_unanswered(
    twilio: TwilioClient, app: Flask, names: dict[str, str]
) -> ElementTree.Element:
    """Ring the support line out of hours; it does not answer; return the menu that follows."""
    document = twiml(twilio.at(EVENING).post("/voice/incoming", incoming_params(SID, CALLER)))
    assert where_now(stored(app), names) == "ringing the support line"
    action = path_of(document.find("Dial").get("action"))  # type: ignore[union-attr]
    menu = twiml(twilio.post(action, dial_params(SID, CALLER, "no-answer")))
    assert where_now(stored(app), names) == "in the menu"
    return menu


def press(digits: str) -> dict[str, str]:
    """Return what Twilio posts to a <Gather> action when the caller presses keys."""
    return incoming_params(SID, CALLER) | {"CallStatus": "in-progress", "Digits": digits}
