"""Drive a few calls in through signed webhooks, for the handler pages' tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, Case
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

LONDON = ZoneInfo("Europe/London")
CALLER = "+447911123456"
OTHER_CALLER = "+447700900123"
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
TUESDAY_8PM = datetime(2026, 11, 24, 20, 0, tzinfo=LONDON)


def ring(
    twilio: TwilioClient, sid: str, caller: str, at: datetime, ending: str = "answered",
    talk: int = 95,
) -> None:  # fmt: skip
    """Play one call: answered, missed (Harmony did not pick up and the caller hung up) or live."""
    twilio.at(at).post("/voice/incoming", incoming_params(sid, caller))
    if ending == "live":
        return
    line = "harmony" if at.astimezone(LONDON).hour in range(9, 17) else "out_of_hours"
    dial = dial_params(sid, caller, "completed" if ending == "answered" else "no-answer",
                       talk=talk if ending == "answered" else 0)  # fmt: skip
    twilio.at(at + timedelta(seconds=20)).post(f"/voice/dial/{line}", dial)
    end = at + timedelta(seconds=30 + (talk if ending == "answered" else 0))
    total = int((end - at).total_seconds())
    twilio.at(end).post("/voice/status", status_params(sid, caller, "completed", 5, end, total))


def case_reference(app: Flask, sid: str) -> str:
    """Return the reference of the case a call was logged against."""
    with get_database(app).transaction() as session:
        query = select(Case.reference).join(Call, Call.case_id == Case.id)
        return session.scalars(query.where(Call.call_sid == sid)).one()
