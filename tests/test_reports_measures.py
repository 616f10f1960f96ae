"""Every call has one outcome, and each contact-centre measure equals an independent count."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, CallbackRequest
from helpline.reports.periods import Period
from helpline.reports.rollups import refresh_rollups
from helpline.reports.volumes import volumes
from tests import report_calls
from tests.report_calls import LINES
from tests.test_reports import LONDON, PERIOD, answered, exported, nearest_rank, voicemail_sids
from tests.twilio_client import TwilioClient

SETTLED = ("completed", "busy", "failed", "no-answer", "canceled", "unknown")
THRESHOLD = 20


def callback_sids(app: Flask) -> set[str]:
    """Return the CallSids during which a callback was requested."""
    with get_database(app).transaction() as session:
        query = select(Call.call_sid).join(CallbackRequest, CallbackRequest.call_id == Call.id)
        query = query.where(CallbackRequest.source == "ivr")  # asked for by the caller
        return set(session.scalars(query))


def outcome_of(row: dict[str, Any], voicemails: set[str], callbacks: set[str]) -> str:
    """Return an exported call's one outcome, by the documented order."""
    if answered(row):
        return f"answered_{row['dial_line']}"
    if row["call_sid"] in voicemails:
        return "voicemail"
    if row["call_sid"] in callbacks:
        return "callback"
    if row["status"] not in SETTLED:
        return "in_progress"
    if row["status"] in ("completed", "canceled") and row["dial_status"] is None:
        return "abandoned_menu"
    return "abandoned_ringing" if row["dial_status"] == "canceled" else "unanswered"


def wait_of(row: dict[str, Any]) -> int | None:
    """Return an answered call's time to answer: its line's ringing to answered, if known."""
    if not answered(row):
        return None
    if row["leg_ringing_at"] and row["leg_answered_at"]:
        rang = datetime.fromisoformat(row["leg_answered_at"]) - datetime.fromisoformat(
            row["leg_ringing_at"]
        )
        return max(math.floor(rang.total_seconds() + 0.5), 0)
    if row["duration_seconds"] is None:
        return None
    return max(row["duration_seconds"] - row["talk_seconds"], 0)


def repeats(history: list[dict[str, Any]], period: Period) -> tuple[int, int]:
    """Return (repeat callers, repeat calls) in the period from every call ever exported."""
    seen: set[str] = set()
    callers: set[str] = set()
    calls = 0
    for row in history:  # oldest first, as the export gives them
        case, at = row["case_reference"], row["started_at"]
        inside = period.since.isoformat() <= _utc(at) < period.until.isoformat()
        if inside and case in seen:
            callers.add(case)
            calls += 1
        seen.add(case)
    return len(callers), calls


def _utc(text: str) -> str:
    """Return an exported Z time in the isoformat of an aware UTC datetime."""
    return text.replace("Z", "+00:00")


def expected_measures(
    rows: list[dict[str, Any]], history: list[dict[str, Any]], app: Flask, period: Period
) -> dict[str, Any]:
    """Count every measure from exported rows, by the documented definitions."""
    voicemails, callbacks = voicemail_sids(app), callback_sids(app)
    outcomes = Counter(outcome_of(row, voicemails, callbacks) for row in rows)
    # In hours: routed to a line with opening hours (every line but the last, always-open one).
    in_hours = [r for r in rows if r["route_line"] in LINES[:-1]]
    in_hours_settled = sum(outcome_of(r, voicemails, callbacks) != "in_progress" for r in in_hours)
    answered_where_routed = sum(
        outcome_of(r, voicemails, callbacks) == f"answered_{r['route_line']}" for r in in_hours
    )
    waits = [w for w in map(wait_of, rows) if w is not None]
    abandoned = outcomes["abandoned_menu"] + outcomes["abandoned_ringing"]
    settled = len(rows) - outcomes["in_progress"]
    repeat_callers, repeat_calls = repeats(history, period)
    offered = len(waits) + outcomes["abandoned_ringing"]
    return {
        **{f"outcome_{key}": outcomes[key] for key in report_outcomes()},
        "outcomes_total": len(rows),
        "in_hours_answer_rate": _ratio(answered_where_routed, in_hours_settled),
        "time_to_answer_seconds_mean": round(sum(waits) / len(waits), 1) if waits else None,
        "time_to_answer_seconds_p90": nearest_rank(waits, 0.9),
        "service_level": _ratio(sum(w <= THRESHOLD for w in waits), offered),
        "abandonment_rate": _ratio(abandoned, settled),
        "abandoned_in_menu": outcomes["abandoned_menu"],
        "abandoned_while_ringing": outcomes["abandoned_ringing"],
        "repeat_callers": repeat_callers,
        "repeat_calls": repeat_calls,
    }


def report_outcomes() -> list[str]:
    """Return the outcome keys the report uses: answered split by the configured lines."""
    from helpline.reports.definitions import outcome_keys

    return outcome_keys(LINES)


def _ratio(part: int, whole: int) -> float | None:
    """Return part / whole to four places."""
    return round(part / whole, 4) if whole else None


def measured(app: Flask, period: Period) -> dict[str, Any]:
    """Return the report's figures for a period."""
    with get_database(app).transaction() as session:
        return volumes(session, period, LINES, THRESHOLD).figures()


def check_period(app: Flask, runner: FlaskCliRunner, period: Period) -> dict[str, Any]:
    """Assert the report's measures equal the independent counts; return the expected ones."""
    rows = exported(runner, period)
    history = exported(runner, Period(date(2000, 1, 1), period.last, LONDON))
    expected = expected_measures(rows, history, app, period)
    figures = measured(app, period)
    assert {key: figures[key] for key in expected} == expected
    assert sum(figures[f"outcome_{key}"] for key in report_outcomes()) == figures["total_calls"]
    return expected


PERIODS = [
    PERIOD,
    Period(date(2026, 3, 30), date(2026, 4, 8), LONDON),
    Period(date(2026, 2, 1), date(2026, 3, 31), LONDON),
]


def test_measures_equal_counts_from_the_export(
    app: Flask, runner: FlaskCliRunner, twilio: TwilioClient
) -> None:
    report_calls.seed(app, twilio)
    timed = [bool(row["leg_answered_at"]) for row in exported(runner, PERIOD) if answered(row)]
    assert any(timed) and not all(timed)  # both the line's own times and the older fallback
    expected = [check_period(app, runner, period) for period in PERIODS]
    whole = expected[0]
    assert all(whole[f"outcome_{key}"] for key in report_outcomes() if key != "in_progress")
    assert expected[1]["outcome_in_progress"] == 1
    assert whole["repeat_callers"] and whole["repeat_calls"] > whole["repeat_callers"]
    assert whole["time_to_answer_seconds_p90"] is not None


def test_rolled_up_measures_equal_the_export(
    app: Flask, runner: FlaskCliRunner, twilio: TwilioClient
) -> None:
    report_calls.seed(app, twilio)
    with get_database(app).transaction() as session:
        refresh_rollups(session, date(2025, 12, 1), date(2026, 3, 31), LONDON)
    for period in PERIODS:
        check_period(app, runner, period)
    with get_database(app).transaction() as session:
        refresh_rollups(session, date(2025, 10, 1), date(2026, 4, 8), LONDON)
    for period in PERIODS:
        check_period(app, runner, period)


def test_dashboard_csv_and_api_show_the_same_measures(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, twilio: TwilioClient,
    login_as: Callable[[str], str], api_token: Callable[[str], str],
) -> None:  # fmt: skip
    report_calls.seed(app, twilio)
    expected = check_period(app, runner, PERIOD)
    query = {"since": PERIOD.first.isoformat(), "until": PERIOD.last.isoformat()}
    headers = {"Authorization": f"Bearer {api_token('supervisor')}"}
    body = client.get("/api/v1/reports/volumes", query_string=query, headers=headers).get_json()
    assert {key: body[key] for key in expected} == expected
    assert sum(line["calls"] for line in body["lines"].values()) == body["total_calls"]
    login_as("supervisor")
    rows = dict(csv.reader(io.StringIO(client.get("/reports/figures.csv", query_string=query)
                                       .get_data(as_text=True))))  # fmt: skip
    assert {key: rows[key] for key in expected} == {k: _text(v) for k, v in expected.items()}
    page = client.get("/reports/", query_string=query).get_data(as_text=True)
    shown = dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', page))
    tiles = [int(shown[f"outcome_{key}"]) for key in report_outcomes()]
    assert sum(tiles) == int(shown["total_calls"]) == len(exported(runner, PERIOD))
    assert shown["repeat_callers"] == str(expected["repeat_callers"])
    assert shown["in_hours_answer_rate"] == f"{100 * expected['in_hours_answer_rate']:.1f}%"
    for term in ("In-hours answer rate", "Time to answer", "Service level", "Abandonment rate"):
        assert f"<dt>{term}</dt>" in page


def _text(value: Any) -> str:
    """Return a figure as the CSV writes it."""
    return "" if value is None else str(value)
