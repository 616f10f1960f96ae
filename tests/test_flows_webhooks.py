"""The flow webhooks with the parameters Twilio really sends, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import datetime
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline import current
from helpline.db import get_database
from helpline.models import Call, CallbackRequest, CallEvent, Voicemail
from helpline.voice import callers
from tests.flow_helpers import EVENING, HARMONY, IN_HOURS, SUPPORT
from tests.twilio_client import (
    BASE_URL,
    TwilioClient,
    dial_params,
    dialled_numbers,
    incoming_params,
    spoken,
    twiml,
)

CALLER = "+447911123456"
SID = "CA" + "1" * 32


def follow(twilio: TwilioClient, url: str | None, params: dict[str, str]) -> ElementTree.Element:
    """POST to a callback URL from our own TwiML, signed, and parse the reply."""
    assert url and url.startswith(BASE_URL), url
    return twiml(twilio.post(url[len(BASE_URL) :], params))


def gather_action(document: ElementTree.Element, index: int = 0) -> str | None:
    """Return the action URL of a document's nth <Gather>."""
    return document.findall("Gather")[index].get("action")


def gather_params(digits: str = "", speech: str = "", confidence: str = "") -> dict[str, str]:
    """Return what Twilio posts to a <Gather> action."""
    params = incoming_params(SID, CALLER) | {"CallStatus": "in-progress", "Digits": digits}
    params |= {"FinishedOnKey": "", "msg": "Gather End"}
    if speech:
        params |= {"SpeechResult": speech, "Confidence": confidence, "Digits": ""}
    return params


def unanswered_menu(
    twilio: TwilioClient, at: datetime, dial_status: str, caller: str = CALLER
) -> ElementTree.Element:
    """Ring at a time; Harmony's dial ends with this status: return what the caller hears next."""
    first = twiml(twilio.at(at).post("/voice/incoming", incoming_params(SID, caller)))
    dial = first.find("Dial")
    assert dial is not None
    return follow(twilio, dial.get("action"), dial_params(SID, caller, dial_status))


def ask_for_callback(twilio: TwilioClient, menu: ElementTree.Element, may_leave: str) -> str:
    """From the unanswered menu ask for a callback, safe to call; return the closing words.

    `may_leave` is the key answering whether a message may be left: "1" yes, "2" no.
    """
    safe = follow(twilio, gather_action(menu), gather_params("3"))
    message = follow(twilio, gather_action(safe), gather_params("1"))
    return spoken(follow(twilio, gather_action(message), gather_params(may_leave)))


def stored_call(app: Flask) -> Call:
    """Return the call row for SID."""
    with get_database(app).transaction() as session:
        return session.scalars(select(Call).where(Call.call_sid == SID)).one()


def test_menu_key_reaches_information_and_path_is_stored(twilio: TwilioClient, app: Flask) -> None:
    """Pressing 2 plays the mediation information; the call's path records states and keys."""
    first = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    assert dialled_numbers(first) == [HARMONY]
    info = follow(twilio, gather_action(first), gather_params("2"))
    assert "Mediation helps neighbours" in spoken(info)
    again = follow(twilio, gather_action(info), gather_params("1"))
    assert dialled_numbers(again) == [HARMONY]
    assert stored_call(app).ivr_path == [
        "greeting", "hours:open", "menu", "menu:2", "mediation", "mediation:1", "connect_harmony",
    ]  # fmt: skip


def test_speech_without_listening_words_is_a_wrong_choice(twilio: TwilioClient, app: Flask) -> None:
    """SpeechResult the menu does not listen for re-prompts; the words are not stored."""
    first = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    reply = follow(
        twilio, gather_action(first), gather_params(speech="my neighbour", confidence="0.9")
    )
    assert "not one of the choices" in spoken(reply)
    with get_database(app).transaction() as session:
        params = session.scalars(select(CallEvent.params)).all()
    assert not any("my neighbour" in json.dumps(p) for p in params)


def test_retried_gather_is_recorded_once(twilio: TwilioClient, app: Flask) -> None:
    """Twilio retrying the same callback does not repeat the path."""
    first = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    for _ in range(2):
        follow(twilio, gather_action(first), gather_params("3"))
    assert stored_call(app).ivr_path.count("menu:3") == 1


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "failed"])
def test_unanswered_harmony_offers_support_voicemail_callback(
    twilio: TwilioClient, app: Flask, outcome: str
) -> None:
    """DialCallStatus/DialCallDuration/DialCallSid: the caller is offered three ways on."""
    reply = unanswered_menu(twilio, IN_HOURS, outcome)
    words = spoken(reply)
    assert "support line" in words and "leave a message" in words and "call you back" in words
    assert dialled_numbers(reply) == [SUPPORT]  # pressing nothing connects to the 24/7 line
    call = stored_call(app)
    assert (call.dial_line, call.dial_status) == ("harmony", outcome)


def test_voicemail_is_stored_on_the_case(twilio: TwilioClient, app: Flask) -> None:
    """RecordingUrl/RecordingSid/RecordingDuration: one voicemail on the call and its case."""
    menu = unanswered_menu(twilio, EVENING, "failed")
    record = follow(twilio, gather_action(menu), gather_params("1")).find("Record")
    assert record is not None
    recording = {
        "RecordingSid": "RE" + "2" * 32, "RecordingDuration": "37",
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE2",
    }  # fmt: skip
    status = incoming_params(SID, CALLER) | recording | {"RecordingStatus": "completed"}
    for _ in range(2):  # the status callback first, and retried: order and repeats do not matter
        assert (
            twilio.post(
                record.get("recordingStatusCallback", "")[len(BASE_URL) :], status
            ).status_code
            == 204
        )
    thanks = follow(
        twilio, record.get("action"), incoming_params(SID, CALLER) | recording | {"Digits": "#"}
    )
    assert "passed to the Harmony team" in spoken(thanks)
    with get_database(app).transaction() as session:
        voicemail = session.scalars(select(Voicemail)).one()
        call = session.scalars(select(Call)).one()
        assert (voicemail.call_id, voicemail.case_id) == (call.id, call.case_id)
        assert (
            voicemail.duration_seconds == 37
            and voicemail.recording_url == recording["RecordingUrl"]
        )
    assert "voicemail:recorded" in stored_call(app).ivr_path


def test_callback_is_stored_with_consent_and_no_number_in_logs(
    twilio: TwilioClient, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Safe to call, may leave a message: a pending callback on the case, due next working day."""
    menu = unanswered_menu(twilio, IN_HOURS, "no-answer")
    assert "call you back within one working day" in ask_for_callback(twilio, menu, "1")
    with get_database(app).transaction() as session:
        request = session.scalars(select(CallbackRequest)).one()
        call = session.scalars(select(Call)).one()
        assert (request.case_id, request.call_id, request.number) == (call.case_id, call.id, CALLER)
        assert request.safe_to_call and request.may_leave_message and request.status == "pending"
        assert (
            request.due_at is not None and request.due_at.isoformat() == "2026-11-25T10:00:00+00:00"
        )
    assert CALLER not in caplog.text and "7911123456" not in caplog.text


def test_flow_callback_for_unknown_call_creates_it(twilio: TwilioClient, app: Flask) -> None:
    """A callback that arrives before the incoming webhook was recorded still logs the call."""
    twilio.at(IN_HOURS).post("/voice/flow/harmony/menu/gather?attempt=1", gather_params("2"))
    call = stored_call(app)
    assert call.case_id is not None and call.ivr_path[:2] == ["menu:2", "mediation"]


def test_unknown_state_still_connects_to_support_line(twilio: TwilioClient) -> None:
    """A callback naming a state that no longer exists sends the caller to the 24/7 line."""
    reply = twiml(twilio.post("/voice/flow/harmony/gone/gather", gather_params("1")))
    assert dialled_numbers(reply) == [SUPPORT]


def test_export_shows_the_path(twilio: TwilioClient, runner: FlaskCliRunner) -> None:
    """`helpline calls export` carries the IVR path of each call."""
    twilio.at(EVENING).post("/voice/incoming", incoming_params(SID, CALLER))
    rows = json.loads(runner.invoke(args=["calls", "export", "--format", "json"]).output)
    assert rows[0]["ivr_path"] == ["greeting", "hours:evening", "out_of_hours", "connect_support"]


def test_caller_lookup_known_and_new(twilio: TwilioClient, app: Flask) -> None:
    """A number with an open case is known; any other number is new."""
    twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER))
    database = get_database(app)
    assert callers.caller_kind(database, CALLER, 2.0) == "known"
    assert callers.caller_kind(database, "+447700900999", 2.0) == "new"


def test_caller_lookup_defaults_to_new_when_slow_or_down(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow or failing database never holds the caller: they are treated as new, at once."""

    def slow(*_args: object) -> bool:
        time.sleep(1.5)
        return True

    def down(*_args: object) -> bool:
        raise ConnectionError("database down")

    database = get_database(app)
    monkeypatch.setattr(callers, "has_open_case", slow)
    assert callers.caller_kind(database, CALLER, 0.05) == "new"
    monkeypatch.setattr(callers, "has_open_case", down)
    assert callers.caller_kind(database, CALLER, 0.05) == "new"


def test_broken_flow_run_still_connects_to_support_line(
    twilio: TwilioClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If running the flow fails, the first reply still dials the 24/7 line."""

    def broken(*_args: object) -> None:
        raise RuntimeError("flow broke")

    monkeypatch.setattr("helpline.voice.flow_views.start", broken)
    reply = twiml(twilio.at(IN_HOURS).post("/voice/incoming", incoming_params(SID, CALLER)))
    assert dialled_numbers(reply) == [SUPPORT]


def test_goodbye_after_silence_logs_the_path_then_hangs_up(
    twilio: TwilioClient, app: Flask
) -> None:
    """A goodbye reached by silence calls back once, so the path is complete, then hangs up."""
    menu = unanswered_menu(twilio, EVENING, "busy")
    redirect = menu.find("Redirect")
    assert redirect is not None and "0808 168 9111" in spoken(menu)
    ended = follow(twilio, redirect.text, incoming_params(SID, CALLER))
    assert [child.tag for child in ended] == ["Hangup"]
    assert stored_call(app).ivr_path[-2:] == ["support_unanswered:no_input", "numbers_goodbye"]


def test_silent_recording_is_not_kept(twilio: TwilioClient, app: Flask) -> None:
    """A recording status of "absent" (silence) stores no voicemail."""
    twilio.at(EVENING).post("/voice/incoming", incoming_params(SID, CALLER))
    status = incoming_params(SID, CALLER) | {
        "RecordingSid": "RE" + "3" * 32, "RecordingStatus": "absent", "RecordingDuration": "0",
    }  # fmt: skip
    assert twilio.post("/voice/flow/harmony/voicemail/recording", status).status_code == 204
    with get_database(app).transaction() as session:
        assert session.scalars(select(Voicemail)).all() == []


def test_callback_survives_a_database_outage(
    twilio: TwilioClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the database down the caller is still served; the journal replays the callback."""
    import helpline.calls.writer as writer_module

    real_record = writer_module.record

    def down(*_args: object) -> bool:
        raise ConnectionError("database down")

    monkeypatch.setattr(writer_module, "RETRY_DELAYS", ())
    monkeypatch.setattr(writer_module, "DOWN_SECONDS", 0.0)  # replay as soon as it is back
    monkeypatch.setattr(writer_module, "record", down)
    menu = unanswered_menu(twilio, IN_HOURS, "busy")
    assert "call you back" in ask_for_callback(twilio, menu, "2")
    writer = current.writer(app)
    # The test clock gives every event the same time, so the order they are written in is the
    # path's order: stop the writer thread so the replay below alone writes them, oldest first.
    writer.stop(timeout=0)
    monkeypatch.setattr(writer_module, "record", real_record)
    assert writer.journaled_count() >= 5  # every webhook of the call waited on disk
    writer.replay_journal()
    assert writer.journaled_count() == 0
    with get_database(app).transaction() as session:
        request = session.scalars(select(CallbackRequest)).one()
        assert request.safe_to_call and not request.may_leave_message
    assert stored_call(app).ivr_path[-2:] == ["callback:requested", "callback_thanks"]
