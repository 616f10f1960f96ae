"""Stale calls: Twilio's Calls API settles calls whose final status callback never came."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call
from helpline.twilio.client import HTTP_CLIENT_EXTENSION
from tests.seeding import uk
from tests.twilio_client import TwilioClient, incoming_params
from tests.twilio_http import ExactTwilioHttp, call_resource, not_found

CALLER = "+447911123456"


def ring(twilio: TwilioClient, sid: str, at: datetime) -> None:
    """Start a call whose status callbacks never arrive."""
    twilio.at(at).post("/voice/incoming", incoming_params(sid, CALLER))


def calls(app: Flask) -> dict[str, Call]:
    """Return every call by CallSid."""
    with get_database(app).transaction() as session:
        return {call.call_sid: call for call in session.scalars(select(Call))}


def test_stale_calls_are_settled_from_twilio(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """Completed: folded in; unknown to Twilio: 'unknown'; still live: left; recent: not asked."""
    for sid, hour in (("CAdone", 9), ("CAgone", 10), ("CAlive", 11)):
        ring(twilio, sid, uk(2026, 11, 24, hour, 0))
    ring(twilio, "CAfresh", uk(2026, 11, 24, 13, 30))
    fake = ExactTwilioHttp()
    fake.expect(
        "GET",
        "/Calls/CAdone.json",
        200,
        call_resource("CAdone", "completed", "Tue, 24 Nov 2026 09:07:30 +0000", "450"),
    )
    fake.expect("GET", "/Calls/CAgone.json", 404, not_found("/Calls/CAgone.json"))
    live = call_resource("CAlive", "in-progress", None, None)
    fake.expect("GET", "/Calls/CAlive.json", 200, live)
    app.extensions[HTTP_CLIENT_EXTENSION] = fake
    twilio.at(uk(2026, 11, 24, 14, 0))
    result = runner.invoke(args=["jobs", "run", "stale-calls"])
    assert result.exit_code == 0, result.output
    fake.assert_done()
    settled = calls(app)
    done = settled["CAdone"]
    assert (done.status, done.duration_seconds) == ("completed", 450)
    assert done.ended_at == datetime(2026, 11, 24, 9, 7, 30, tzinfo=UTC)
    assert settled["CAgone"].status == "unknown"
    assert settled["CAlive"].status == "ringing" and settled["CAfresh"].status == "ringing"


def test_stale_calls_dry_run_asks_but_changes_nothing(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """A dry run reports what Twilio says without recording it."""
    ring(twilio, "CAdone", uk(2026, 11, 24, 9, 0))
    fake = ExactTwilioHttp()
    missed = call_resource("CAdone", "no-answer", "Tue, 24 Nov 2026 09:00:30 +0000", "0")
    fake.expect("GET", "/Calls/CAdone.json", 200, missed)
    app.extensions[HTTP_CLIENT_EXTENSION] = fake
    twilio.at(uk(2026, 11, 24, 14, 0))
    result = runner.invoke(args=["jobs", "run", "stale-calls", "--dry-run"])
    assert "call CAdone: no-answer according to Twilio" in result.output
    assert calls(app)["CAdone"].status == "ringing"


def test_stale_calls_left_when_twilio_is_down(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """A Twilio outage is not a verdict: the call is left for the next run."""
    ring(twilio, "CAdone", uk(2026, 11, 24, 9, 0))
    fake = ExactTwilioHttp()
    fake.expect("GET", "/Calls/CAdone.json", 503, {"code": 20503, "message": "down", "status": 503})
    app.extensions[HTTP_CLIENT_EXTENSION] = fake
    twilio.at(uk(2026, 11, 24, 14, 0))
    result = runner.invoke(args=["jobs", "run", "stale-calls"])
    assert result.exit_code == 0 and '"failed": 1' in result.output
    assert calls(app)["CAdone"].status == "ringing"
