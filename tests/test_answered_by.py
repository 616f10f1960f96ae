"""Only a person counts as answered: in the call record, the export and the figures."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskCliRunner

from helpline.db import get_database
from helpline.reports.periods import Period
from helpline.reports.volumes import volumes
from tests.flow_helpers import IN_HOURS
from tests.report_calls import LINES
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

CALLER = "+447911123456"


def call(twilio: TwilioClient, number: int, dial_status: str, bridged: str) -> str:
    """Ring the Harmony line once; it answers (or not) and the caller is (or is not) put through."""
    sid = f"CA{number:032x}"
    at = IN_HOURS + timedelta(minutes=number)
    twilio.at(at).post("/voice/incoming", incoming_params(sid, CALLER))
    dial = dial_params(sid, CALLER, dial_status, talk=40) | {"DialBridged": bridged}
    twilio.post("/voice/dial/harmony", dial)
    twilio.post("/voice/status", status_params(sid, CALLER, "completed", 5, at, duration=60))
    return sid


def test_a_machine_answer_is_exported_and_not_counted(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """Bridged: a person. Answered but never bridged: a machine or declined. Not answered."""
    sids = [call(twilio, 1, "completed", "true"), call(twilio, 2, "completed", "false")]
    sids.append(call(twilio, 3, "no-answer", "false"))
    day = IN_HOURS.date().isoformat()
    result = runner.invoke(args=["calls", "export", "--format", "json", "--since", day])
    assert result.exit_code == 0, result.output
    rows = {row["call_sid"]: row for row in json.loads(result.output)}
    answered_by = [rows[sid]["answered_by"] for sid in sids]
    assert answered_by == ["person", "machine_or_declined", "no_answer"]
    assert [rows[sid]["dial_status"] for sid in sids] == ["completed", "completed", "no-answer"]
    period = Period(date(2026, 11, 24), date(2026, 11, 24), ZoneInfo("Europe/London"))
    with get_database(app).transaction() as session:
        figures = volumes(session, period, LINES)
    assert (figures.total_calls, figures.answered, figures.missed) == (3, 1, 2)
