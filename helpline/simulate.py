"""Play a call offline: drive the real webhooks in-process, signed exactly as Twilio signs them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import Flask
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from helpline import current
from helpline.calls.events import SCREENING_PARAM
from helpline.cli_options import uk_time
from helpline.config import Calendar
from helpline.db import get_database
from helpline.dial_status import DialStatus
from helpline.flows import twiml_check
from helpline.models import Call, CallbackRequest, CallEvent, Case, Voicemail
from helpline.simulate_line import Heard, SimulatedLine, describe_answer

HELPLINE_NUMBER = "+441785000000"
MAX_DOCUMENTS = 40
NO_INPUT = frozenset({"", "-", "none", "nothing"})


@dataclass
class Transcript:
    """What happened on one simulated call, for people and for scripted tests."""

    call_sid: str
    lines: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    dialled: list[str] = field(default_factory=list)
    line_heard: list[str] = field(default_factory=list)  # screening prompts: never the caller's
    problems: list[str] = field(default_factory=list)
    stored: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        """Add a line to the readable transcript."""
        self.lines.append(text)

    def text(self) -> str:
        """Return the transcript as printable text."""
        return "\n".join(self.lines)


@dataclass
class Script:
    """What the simulated caller (and the lines they are put through to) will do."""

    presses: list[str] = field(default_factory=list)
    dial_outcomes: list[str] = field(default_factory=list)
    recordings: list[int] = field(default_factory=list)


class CallSimulator:
    """Posts Twilio's webhooks to the app through Flask's test client and follows its TwiML."""

    def __init__(self, app: Flask, auth_token: str) -> None:
        self.app, self.client = app, app.test_client()
        self.validator = RequestValidator(auth_token)

    def call(self, at: datetime, from_: str, script: Script) -> Transcript:
        """Place one call at an instant and play it to the end."""
        sid = "CA" + uuid.uuid4().hex
        current.install(self.app, clock=lambda: at)
        transcript = Transcript(sid)
        when = uk_time(at, current.settings(self.app).calendar)
        transcript.say(f"Call {sid} from {from_ or 'a withheld number'} at {when}")
        base = self._params(sid, from_)
        self._post("/voice/status", base | self._status("ringing", 1, at))
        document = self._post("/voice/incoming", base, transcript)
        for _ in range(MAX_DOCUMENTS):
            if document is None:
                break
            document = self._play(document, base, script, transcript)
        self._post("/voice/status", base | self._status("completed", 2, at, 95))
        transcript.say("Call ends.")
        current.writer(self.app).drain()
        transcript.stored = stored(self.app, sid)
        return transcript

    def _play(
        self, document: str, base: dict[str, str], script: Script, transcript: Transcript
    ) -> str | None:
        """Act out one TwiML document; return the next document Twilio would fetch, if any."""
        transcript.problems += twiml_check.problems(document)
        for verb in ElementTree.fromstring(document):  # noqa: S314 - our own app's output
            if verb.tag in ("Say", "Play"):
                _hear(verb, transcript)
            elif verb.tag == "Gather":
                reply = self._gather(verb, base, script, transcript)
                if reply is not None:
                    return reply
            elif verb.tag == "Dial":
                return self._dial(verb, base, script, transcript)
            elif verb.tag == "Record":
                reply = self._record(verb, base, script, transcript)
                if reply is not None:
                    return reply
            elif verb.tag == "Redirect":
                return self._post((verb.text or "").strip(), base, transcript)
            elif verb.tag in ("Hangup", "Reject"):
                transcript.say("The line hangs up.")
                return None
        return None

    def _gather(
        self, verb: ElementTree.Element, base: dict[str, str], script: Script, t: Transcript
    ) -> str | None:
        """Hear the menu, then press the next scripted keys (or nothing)."""
        for child in verb:
            _hear(child, t)
        press = script.presses.pop(0) if script.presses else ""
        if press.strip().lower() in NO_INPUT:
            t.say("  (caller presses nothing)")
            return None
        if press.startswith("say:"):
            t.say(f"  caller says: {press[4:]}")
            params = {"SpeechResult": press[4:], "Confidence": "0.92"}
        else:
            t.say(f"  caller presses {press}")
            params = {"Digits": press.rstrip("#")}
        return self._post(verb.get("action", ""), base | params, t)

    def _dial(
        self, verb: ElementTree.Element, base: dict[str, str], script: Script, t: Transcript
    ) -> str | None:
        """Ring the dialled number with the next scripted outcome and report it."""
        numbers = [(number.text or "").strip() for number in verb.iter("Number")]
        outcome = script.dial_outcomes.pop(0) if script.dial_outcomes else DialStatus.COMPLETED
        t.dialled += numbers
        t.say(f"  dials {', '.join(numbers)}: {outcome}")
        line = SimulatedLine(self._post, current.now(self.app))
        params = line.ring(verb.findall("Number")[0], base, outcome, t)
        return self._post(verb.get("action", ""), base | params, t) if verb.get("action") else None

    def _record(
        self, verb: ElementTree.Element, base: dict[str, str], script: Script, t: Transcript
    ) -> str | None:
        """Leave a message of the scripted length (silence falls through, as on Twilio)."""
        seconds = script.recordings.pop(0) if script.recordings else 20
        if seconds <= 0:
            t.say("  (caller leaves no message)")
            return None
        t.say(f"  caller leaves a {seconds}-second message")
        sid = "RE" + uuid.uuid4().hex
        recording = {
            "RecordingSid": sid,
            "RecordingDuration": str(seconds),
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{sid}",
        }
        if verb.get("recordingStatusCallback"):
            status = {"RecordingStatus": "completed", "RecordingSource": "RecordVerb"}
            self._post(verb.get("recordingStatusCallback", ""), base | recording | status)
        return self._post(verb.get("action", ""), base | recording | {"Digits": "#"}, t)

    def _post(self, url: str, params: dict[str, str], t: Heard | None = None) -> str | None:
        """POST a signed webhook; return the TwiML body, or None for an empty reply."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        full = url if parts.scheme else "http://localhost" + path
        signature = self.validator.compute_signature(full, params)
        response = self.client.post(
            path,
            data=params,
            headers={"X-Twilio-Signature": signature},
            base_url=f"{parts.scheme or 'http'}://{parts.netloc or 'localhost'}",
        )
        current.writer(self.app).drain()
        if t is not None and response.status_code != 200:
            t.problems.append(f"{path} answered HTTP {response.status_code}")
        body = response.get_data(as_text=True)
        return body if response.status_code == 200 and body.strip() else None

    @staticmethod
    def _params(sid: str, from_: str) -> dict[str, str]:
        """Return the fields Twilio sends with every webhook of an inbound call."""
        return {
            "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01",
            "CallSid": sid,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "From": from_,
            "Caller": from_,
            "To": HELPLINE_NUMBER,
            "Called": HELPLINE_NUMBER,
            "FromCountry": "GB",
        }

    @staticmethod
    def _status(status: str, sequence: int, at: datetime, seconds: int = 0) -> dict[str, str]:
        """Return a call progress event's fields."""
        moment = at + timedelta(seconds=seconds)
        params = {
            "CallStatus": status,
            "SequenceNumber": str(sequence),
            "CallbackSource": "call-progress-events",
            "Timestamp": format_datetime(moment.astimezone(UTC)),
        }
        return params | ({"CallDuration": str(seconds)} if status == "completed" else {})


def _hear(verb: ElementTree.Element, t: Transcript) -> None:
    """Add what a <Say> or <Play> says to the transcript."""
    if verb.tag == "Play":
        t.heard.append(f"[audio {verb.text}]")
    elif verb.tag == "Say":
        t.heard.append(" ".join("".join(verb.itertext()).split()))
    else:
        return
    t.say(f"  hears: {t.heard[-1]}")


def stored(app: Flask, call_sid: str) -> dict[str, Any]:
    """Return what the service logged about a call: case, path, voicemails and callbacks."""
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == call_sid)).first()
        if call is None:
            return {}
        case = session.get(Case, call.case_id) if call.case_id else None
        voicemails = session.scalars(select(Voicemail).where(Voicemail.call_id == call.id))
        callbacks = session.scalars(
            select(CallbackRequest).where(CallbackRequest.call_id == call.id)
        )
        screened = session.scalars(
            select(CallEvent).where(CallEvent.call_id == call.id, CallEvent.kind == "screening")
        )
        return {
            "case_reference": case.reference if case else None,
            "status": call.status,
            "route_line": call.route_line,
            "dial_status": call.dial_status,
            "leg_line": call.leg_line,
            "answered_by": call.answered_by,
            "screening": call.screening,
            "screenings": [
                (e.params.get("To"), e.params.get(SCREENING_PARAM))
                for e in screened
                if e.params.get(SCREENING_PARAM) != "asked"
            ],
            "ivr_path": list(call.ivr_path or []),
            "voicemails": [
                {
                    "duration_seconds": v.duration_seconds,
                    "case_id": v.case_id,
                    "recording_url": v.recording_url,
                }
                for v in voicemails
            ],
            "callbacks": [
                {
                    "number": c.number,
                    "safe_to_call": c.safe_to_call,
                    "may_leave_message": c.may_leave_message,
                    "status": c.status,
                    "due_at": c.due_at.isoformat() if c.due_at else None,
                    "case_id": c.case_id,
                }
                for c in callbacks
            ],
        }


def describe_stored(info: dict[str, Any], calendar: Calendar) -> Iterator[str]:
    """Yield readable lines about what was logged against which case (times in UK time)."""
    if not info:
        yield "Nothing was logged (is the database reachable?)."
        return
    yield (
        f"Logged against case {info['case_reference']}: status {info['status']}, "
        f"line {info['route_line']}, last dial {info['dial_status']}"
    )
    yield "  path: " + " > ".join(info["ivr_path"])
    for number, outcome in info.get("screenings", []):
        yield f"  screening at {number}: {describe_answer({'screening': outcome})}"
    if info.get("answered_by"):
        yield f"  line {info['leg_line']}: {describe_answer(info)}"
    for voicemail in info["voicemails"]:
        yield f"  voicemail: {voicemail['duration_seconds']}s, {voicemail['recording_url']}"
    for callback in info["callbacks"]:
        due = callback["due_at"]
        when = f"due {uk_time(datetime.fromisoformat(due), calendar)}" if due else "no due time"
        yield (
            f"  callback requested on {callback['number']}: safe to call "
            f"{'yes' if callback['safe_to_call'] else 'no'}, may leave a message "
            f"{'yes' if callback['may_leave_message'] else 'no'}, {when}"
        )
