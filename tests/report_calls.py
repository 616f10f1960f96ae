"""A realistic mix of calls, driven in through signed webhooks, for the report tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from flask import Flask
from sqlalchemy import select

from helpline.closures import store
from helpline.closures.cache import ClosureCache
from helpline.db import get_database
from helpline.models import Call, CallbackRequest, Voicemail
from tests.twilio_client import (
    TwilioClient,
    dial_params,
    incoming_params,
    status_params,
    twiml,
)

# The flow's dial steps and the lines they ring (ivr_flows/harmony.yaml).
STATES = {"harmony": "connect_harmony", "out_of_hours": "connect_support"}
# config/helpline.toml's lines in routing order, as the reports are given them.
LINES = ("harmony", "out_of_hours")
CALLERS = ("+447911123456", "+447700900123", "+447700900456", "07700 900789", "anonymous")


@dataclass(frozen=True)
class Story:
    """One call: when it starts (UTC), who rings, and what happens."""

    at: datetime
    caller: str
    ending: str  # answered, rerouted, menu, ringing, support, voicemail, failed, callback, live
    talk: int = 0
    ring: int = 12


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def stories() -> Iterator[Story]:
    """Yield calls across weekdays, evenings, weekends, a bank holiday and both clock changes."""
    endings = ("answered", "rerouted", "menu", "ringing", "support", "voicemail", "failed")
    instants = [
        utc(2026, 3, 2, 10), utc(2026, 3, 2, 10, 40), utc(2026, 3, 3, 16, 59),
        utc(2026, 3, 3, 19), utc(2026, 3, 7, 11), utc(2026, 3, 27, 8, 30),
        utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 8, 30),
        utc(2026, 3, 30, 15, 59), utc(2026, 3, 30, 16, 1), utc(2026, 4, 6, 10),
        utc(2026, 4, 7, 12), utc(2026, 4, 8, 9), utc(2025, 12, 25, 10),
        utc(2025, 12, 29, 9, 15), utc(2025, 10, 24, 8, 30), utc(2025, 10, 26, 1, 30),
        utc(2025, 10, 27, 9, 5), utc(2026, 2, 12, 14), utc(2026, 2, 12, 14, 5),
    ]  # fmt: skip
    for index, at in enumerate(instants):
        ending = endings[index % len(endings)]
        talk = 60 + 37 * index if ending in ("answered", "rerouted", "support") else 0
        yield Story(at, CALLERS[index % len(CALLERS)], ending, talk, ring=5 + 3 * index)
    yield Story(utc(2026, 4, 7, 9), CALLERS[1], "callback", ring=25)
    yield Story(utc(2026, 4, 8, 13), CALLERS[0], "live")


def drive(app: Flask, twilio: TwilioClient, story: Story, number: int) -> str:
    """Play one story through the webhooks; return its CallSid."""
    sid = f"CA{number:032x}"
    answer = twiml(twilio.at(story.at).post("/voice/incoming", incoming_params(sid, story.caller)))
    if story.ending == "live":
        return sid
    # In hours the flow offers a menu, then rings Harmony; out of hours the support line.
    first = "harmony" if any(answer.iter("Gather")) else "out_of_hours"
    for line, status, talk in _dials(story, first):
        if status == "completed" and number % 2 == 0:  # odd calls stand for older releases
            _line_rings_then_answers(twilio, sid, story, line)
        params = dial_params(sid, story.caller, status, talk)
        # Twilio asks for the dial action when the dialled leg ends: after ringing and talk.
        done = story.at + timedelta(seconds=story.ring + talk)
        twilio.at(done).post(f"/voice/flow/harmony/{STATES[line]}/dial", params)
    final = "failed" if story.ending == "failed" else "completed"
    end = story.at + timedelta(seconds=story.ring + story.talk)
    ended = status_params(sid, story.caller, final, 9, end, duration=story.ring + story.talk)
    twilio.at(end).post("/voice/status", ended)
    if story.ending == "voicemail":
        _leave_voicemail(app, sid)
    if story.ending == "callback":
        request_callbacks(app, [sid], None)
    return sid


def _line_rings_then_answers(twilio: TwilioClient, sid: str, story: Story, line: str) -> None:
    """Post the answering line's own progress events, as its <Number statusCallback> gets them."""
    moments = (
        ("ringing", story.at + timedelta(seconds=2)),
        ("in-progress", story.at + timedelta(seconds=story.ring)),
    )
    for sequence, (status, moment) in enumerate(moments):
        params = incoming_params("CL" + sid[2:], story.caller) | {
            "ParentCallSid": sid, "CallStatus": status, "Direction": "outbound-dial",
            "CallbackSource": "call-progress-events", "SequenceNumber": str(sequence),
            "Timestamp": format_datetime(moment.astimezone(UTC)),
        }  # fmt: skip
        twilio.at(moment).post(f"/voice/flow/harmony/{STATES[line]}/leg", params)


def _dials(story: Story, first: str) -> list[tuple[str, str, int]]:
    """Return the dial outcomes (line, DialCallStatus, talk) a story produces."""
    return {
        "answered": [(first, "completed", story.talk)],
        "rerouted": [("harmony", "no-answer", 0), ("out_of_hours", "completed", story.talk)],
        "ringing": [(first, "canceled", 0)],
        "support": [("out_of_hours", "completed", story.talk)],
        "voicemail": [(first, "no-answer", 0)],
        "callback": [(first, "no-answer", 0)],
    }.get(story.ending, [])


def _leave_voicemail(app: Flask, sid: str) -> None:
    """Store a voicemail for the call, as the voicemail flow would."""
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        assert call.case_id is not None
        session.add(
            Voicemail(
                call_id=call.id, case_id=call.case_id, recording_sid="RE" + sid[2:],
                duration_seconds=20, created_at=call.started_at,
            )
        )  # fmt: skip


def seed(app: Flask, twilio: TwilioClient) -> list[str]:
    """Drive every story in, with a closure in force for one of them; return the CallSids."""
    with get_database(app).transaction() as session:
        closure = store.add(
            session, utc(2026, 2, 12, 13), utc(2026, 2, 12, 14, 3), "staff training", "Sam"
        )
        period = store.as_period(closure)
    # The cache keeps only closures that have not ended by the real clock: load this past one.
    app.extensions["helpline.closures"] = ClosureCache(lambda: [period], 3600)
    app.extensions["helpline.closures"].refresh()
    return [drive(app, twilio, story, n) for n, story in enumerate(stories(), start=1)]


def request_callbacks(app: Flask, sids: list[str], answered_after: timedelta | None) -> None:
    """Add a callback for each call, done `answered_after` later (None: still owed)."""
    with get_database(app).transaction() as session:
        for sid in sids:
            call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
            assert call.case_id is not None
            done = None if answered_after is None else call.started_at + answered_after
            session.add(
                CallbackRequest(
                    case_id=call.case_id, call_id=call.id, number=call.from_number,
                    safe_to_call=True, requested_at=call.started_at,
                    status="pending" if done is None else "done", completed_at=done,
                    completed_by=None if done is None else "Sam",
                )
            )  # fmt: skip
