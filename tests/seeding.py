"""Seed a database with calls made through the real webhooks, at chosen instants."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

LONDON = ZoneInfo("Europe/London")


def uk(*args: int) -> datetime:
    """Return an aware UK local time."""
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def make_call(
    twilio: TwilioClient, sid: str, caller: str, at: datetime, outcome: str = "completed",
    talk: int = 60,
) -> None:  # fmt: skip
    """Play one whole call through the webhooks: incoming, dial result, final status."""
    twilio.at(at).post("/voice/incoming", incoming_params(sid, caller))
    line = "harmony" if _open(twilio, sid) else "out_of_hours"
    twilio.at(at + timedelta(seconds=talk)).post(
        f"/voice/dial/{line}", dial_params(sid, caller, outcome, talk=talk)
    )
    end = at + timedelta(seconds=talk + 5)
    twilio.at(end).post(
        "/voice/status", status_params(sid, caller, "completed", 3, end, duration=talk + 5)
    )


def _open(twilio: TwilioClient, sid: str) -> bool:
    """Return whether the call was routed to the Harmony line."""
    with get_database(twilio.app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        return bool(call.route_open)
