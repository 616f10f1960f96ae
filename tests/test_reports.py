"""The volume figures equal counts made independently from `helpline calls export`."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, Voicemail
from helpline.reports.figures import Volumes, spread_of
from helpline.reports.periods import Period
from helpline.reports.volumes import volumes
from tests import report_calls
from tests.twilio_client import TwilioClient

LONDON = ZoneInfo("Europe/London")
PERIOD = Period(date(2025, 10, 1), date(2026, 4, 7), LONDON)


def exported(runner: FlaskCliRunner, period: Period) -> list[dict[str, Any]]:
    """Return the calls as `helpline calls export --format json` prints them."""
    args = ["calls", "export", "--format", "json", "--since", period.first.isoformat()]
    result = runner.invoke(args=[*args, "--until", period.last.isoformat()])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def settled(row: dict[str, Any]) -> bool:
    """Return True once the exported call's outcome is known: it ended or a dial finished."""
    ended = ("completed", "busy", "failed", "no-answer", "canceled", "unknown")
    return row["status"] in ended or row["dial_status"] is not None


def voicemail_sids(app: Flask) -> set[str]:
    """Return the CallSids that have a voicemail."""
    with get_database(app).transaction() as session:
        query = select(Call.call_sid).join(Voicemail, Voicemail.call_id == Call.id)
        return set(session.scalars(query))


def answered(row: dict[str, Any]) -> bool:
    """Return True if the exported call was answered on any line."""
    return row["dial_status"] in ("completed", "answered") and (row["talk_seconds"] or 0) > 0


def expected_figures(rows: list[dict[str, Any]], voicemails: set[str]) -> dict[str, Any]:
    """Count the headline figures from exported rows, by the documented definitions."""
    in_hours = [row for row in rows if row["route_open"] is True]
    return {
        "total_calls": len(rows),
        "in_hours": len(in_hours),
        "out_of_hours": len(rows) - len(in_hours),
        "answered": sum(answered(row) for row in rows),
        "missed": sum(
            not (answered(r) and r["dial_line"] == "harmony") and settled(r) for r in in_hours
        ),
        "voicemail": sum(row["call_sid"] in voicemails for row in rows),
        "abandoned": sum(
            row["status"] in ("completed", "canceled")
            and not answered(row)
            and row["call_sid"] not in voicemails
            for row in rows
        ),
        "unique_callers": len({row["case_reference"] for row in rows}),
    }


def nearest_rank(values: list[int], fraction: float) -> int | None:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[math.ceil(fraction * len(ordered)) - 1] if ordered else None


@pytest.fixture
def seeded(app: Flask, twilio: TwilioClient) -> list[str]:
    """Drive the realistic mix of calls in."""
    return report_calls.seed(app, twilio)


def figures_for(app: Flask, period: Period) -> Volumes:
    """Return the report's volumes for a period."""
    with get_database(app).transaction() as session:
        return volumes(session, period, report_calls.LINES)


def test_figures_equal_counts_from_the_export(
    app: Flask, runner: FlaskCliRunner, seeded: list[str]
) -> None:
    rows = exported(runner, PERIOD)
    expected = expected_figures(rows, voicemail_sids(app))
    figures = figures_for(app, PERIOD).figures()
    assert {key: figures[key] for key in expected} == expected
    assert 0 < expected["answered"] < expected["total_calls"] < len(seeded)
    assert expected["missed"] and expected["abandoned"] and expected["voicemail"]


def test_ring_and_talk_spread_match_the_export(
    app: Flask, runner: FlaskCliRunner, seeded: list[str]
) -> None:
    rows = exported(runner, PERIOD)
    ring = [
        r["duration_seconds"] - r["talk_seconds"]
        for r in rows
        if r["duration_seconds"] is not None and r["talk_seconds"] is not None
    ]
    talk = [row["talk_seconds"] for row in rows if answered(row)]
    figures = figures_for(app, PERIOD)
    assert (figures.ring.median, figures.ring.p90) == (
        nearest_rank(ring, 0.5),
        nearest_rank(ring, 0.9),
    )
    assert figures.talk.median == statistics.median_low(talk)
    assert figures.talk.p90 == nearest_rank(talk, 0.9)


def test_hours_follow_uk_local_time_across_clock_changes(
    app: Flask, runner: FlaskCliRunner, seeded: list[str]
) -> None:
    rows = exported(runner, PERIOD)
    expected = Counter(
        datetime.fromisoformat(row["started_at"]).astimezone(LONDON).strftime("%a %H")
        for row in rows
    )
    figures = figures_for(app, PERIOD)
    actual: Counter[str] = Counter()
    for hour in figures.hours:
        actual[hour.starts_at.astimezone(LONDON).strftime("%a %H")] += hour.total
    assert actual == expected
    assert actual["Mon 09"] >= 2  # 08:30 UTC in BST and 09:05 UTC in GMT are both 9am


def test_reasons_split_the_out_of_hours_calls(app: Flask, seeded: list[str]) -> None:
    figures = figures_for(app, PERIOD)
    reasons = figures.out_of_hours_reasons
    assert sum(reasons.values()) == figures.out_of_hours
    assert {"evening", "weekend", "closure: staff training"} <= set(reasons)
    assert "bank holiday: Christmas Day" in reasons


def test_cases_are_new_or_returning_by_when_they_opened(
    app: Flask, runner: FlaskCliRunner, seeded: list[str]
) -> None:
    whole = figures_for(app, PERIOD)
    cases = {row["case_reference"] for row in exported(runner, PERIOD)}
    assert (whole.new_cases, whole.returning_cases) == (len(cases), 0)
    april = Period(date(2026, 4, 1), date(2026, 4, 7), LONDON)
    late = figures_for(app, april)
    april_cases = {row["case_reference"] for row in exported(runner, april)}
    assert late.new_cases + late.returning_cases == len(april_cases)
    assert late.returning_cases >= 1


def test_an_empty_period_has_no_figures(app: Flask) -> None:
    figures = figures_for(app, PERIOD).figures()
    assert figures["total_calls"] == 0
    assert figures["answer_rate"] is None
    assert figures["ring_seconds_median"] is None


def test_nearest_rank_percentiles() -> None:
    spread = spread_of([(10, 1), (20, 1), (30, 1), (40, 1)])
    assert (spread.count, spread.median, spread.p90) == (4, 20, 40)


def test_a_ringing_call_is_not_missed_until_it_has_an_outcome(
    app: Flask, twilio: TwilioClient
) -> None:
    """An in-hours call still ringing is not yet missed; once Harmony fails to answer, it is."""
    from tests.twilio_client import dial_params, incoming_params

    at = datetime(2026, 11, 24, 10, tzinfo=LONDON)
    today = Period(date(2026, 11, 24), date(2026, 11, 24), LONDON)
    twilio.at(at).post("/voice/incoming", incoming_params("CAlive", "+447911123456"))
    with get_database(app).transaction() as session:
        figures = volumes(session, today, report_calls.LINES)
        assert (figures.total_calls, figures.missed) == (1, 0)
    twilio.post("/voice/dial/harmony", dial_params("CAlive", "+447911123456", "no-answer"))
    with get_database(app).transaction() as session:
        assert volumes(session, today, report_calls.LINES).missed == 1
