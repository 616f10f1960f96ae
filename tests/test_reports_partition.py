"""On random traffic, every call lands in exactly one outcome and the outcomes add up."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from helpline.db import get_database
from helpline.models import ReportDay, ReportHour, ReportValue
from helpline.reports.definitions import outcome_keys
from helpline.reports.periods import Period
from helpline.reports.rollups import refresh_rollups
from helpline.reports.volumes import volumes
from tests import report_calls
from tests.test_reports import LONDON, exported, voicemail_sids
from tests.test_reports_measures import callback_sids, outcome_of
from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

WEEK = Period(date(2026, 3, 2), date(2026, 3, 8), LONDON)
SIDS = itertools.count(1)
FINAL = ("completed", "failed", "busy", "no-answer", "canceled", None)
DIALS = ("completed", "no-answer", "busy", "failed", "canceled")


@dataclass(frozen=True)
class RandomCall:
    """One call of random traffic: when, who, which dials and status events, and what it left."""

    minute: int
    caller: str
    dials: tuple[tuple[str, str, int], ...]
    final: str | None
    voicemail: bool
    callback: bool
    final_first: bool


calls = st.builds(
    RandomCall,
    minute=st.integers(0, 7 * 24 * 60 - 1),
    caller=st.sampled_from(report_calls.CALLERS),
    dials=st.lists(
        st.tuples(
            st.sampled_from(list(report_calls.STATES)), st.sampled_from(DIALS),
            st.integers(0, 400),
        ),
        max_size=2,
    ).map(tuple),
    final=st.sampled_from(FINAL),
    voicemail=st.booleans(),
    callback=st.booleans(),
    final_first=st.booleans(),
)  # fmt: skip


def play(app: Flask, twilio: TwilioClient, call: RandomCall) -> None:
    """Send one random call's webhooks, the final status possibly before the dials."""
    sid = f"CA{next(SIDS):032x}"
    at = WEEK.since + timedelta(minutes=call.minute)
    twilio.at(at).post("/voice/incoming", incoming_params(sid, call.caller))
    end = at + timedelta(seconds=30 + sum(talk for _, _, talk in call.dials))
    events = [
        (f"/voice/flow/harmony/{report_calls.STATES[line]}/dial",
         dial_params(sid, call.caller, status, talk))
        for line, status, talk in call.dials
    ]  # fmt: skip
    if call.final is not None:
        final = status_params(sid, call.caller, call.final, 9, end, duration=30)
        events.insert(0 if call.final_first else len(events), ("/voice/status", final))
    for path, params in events:
        twilio.at(end).post(path, params)
    if call.voicemail:
        report_calls._leave_voicemail(app, sid)
    if call.callback:
        report_calls.request_callbacks(app, [sid], None)


OUTCOMES_SHOWN = outcome_keys(report_calls.LINES)


def forget_rollups(app: Flask) -> None:
    """Remove the week's rollups, so its figures are counted live."""
    with get_database(app).transaction() as session:
        for table in (ReportHour, ReportValue, ReportDay):
            session.execute(delete(table).where(table.day.between(WEEK.first, WEEK.last)))


def outcome_figures(app: Flask) -> dict[str, int]:
    """Return the week's outcome figures and total, as the report gives them."""
    with get_database(app).transaction() as session:
        figures = volumes(session, WEEK, report_calls.LINES).figures()
    return {key: figures[f"outcome_{key}"] for key in OUTCOMES_SHOWN} | {
        "total": figures["total_calls"]
    }


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(traffic=st.lists(calls, min_size=1, max_size=6))
def test_every_call_has_exactly_one_outcome(
    app: Flask, runner: FlaskCliRunner, twilio: TwilioClient, traffic: list[RandomCall]
) -> None:
    forget_rollups(app)  # an earlier example's rollups no longer count every call
    for call in traffic:
        play(app, twilio, call)
    rows = exported(runner, WEEK)
    voicemails, callbacks = voicemail_sids(app), callback_sids(app)
    expected = Counter(outcome_of(row, voicemails, callbacks) for row in rows)
    live = outcome_figures(app)
    assert sum(live[key] for key in OUTCOMES_SHOWN) == live["total"] == len(rows)
    assert {key: live[key] for key in OUTCOMES_SHOWN} == {
        key: expected[key] for key in OUTCOMES_SHOWN
    }
    with get_database(app).transaction() as session:
        refresh_rollups(session, WEEK.first, WEEK.last, LONDON)
    assert outcome_figures(app) == live
