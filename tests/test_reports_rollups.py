"""Rolled-up days give exactly the figures counted live, and live days still count."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from helpline.db import get_database
from helpline.models import ReportDay
from helpline.reports.figures import Volumes
from helpline.reports.live import live_tallies
from helpline.reports.months import full_months, month_span, months_touched
from helpline.reports.periods import Period
from helpline.reports.rollups import refresh_rollups
from helpline.reports.volumes import volumes
from tests import report_calls
from tests.report_calls import LINES
from tests.test_reports import LONDON, PERIOD, expected_figures, exported, voicemail_sids
from tests.twilio_client import TwilioClient


def figures_for(app: Flask) -> Volumes:
    """Return the volumes for the test period."""
    with get_database(app).transaction() as session:
        return volumes(session, PERIOD, LINES)


def roll(app: Flask, since: date, until: date) -> int:
    """Refresh the rollups for some days."""
    with get_database(app).transaction() as session:
        return refresh_rollups(session, since, until, LONDON)


def test_rollups_give_the_live_figures(
    app: Flask, runner: FlaskCliRunner, twilio: TwilioClient
) -> None:
    report_calls.seed(app, twilio)
    live = figures_for(app)
    assert roll(app, date(2025, 12, 1), date(2026, 3, 29)) == 119  # some days: a mix
    mixed = figures_for(app)
    assert mixed.figures() == live.figures()
    assert mixed.hours == live.hours and mixed.out_of_hours_reasons == live.out_of_hours_reasons
    roll(app, PERIOD.first, PERIOD.last)
    rolled = figures_for(app)
    assert rolled.figures() == live.figures() and rolled.hours == live.hours
    expected = expected_figures(exported(runner, PERIOD), voicemail_sids(app))
    assert {key: rolled.figures()[key] for key in expected} == expected


def test_any_period_rolled_up_matches_live(app: Flask, twilio: TwilioClient) -> None:
    report_calls.seed(app, twilio)
    periods = [
        Period(date(2026, 3, 30), date(2026, 4, 7), LONDON),
        Period(date(2026, 2, 1), date(2026, 3, 31), LONDON),
        Period(date(2025, 12, 25), date(2025, 12, 29), LONDON),
    ]
    with get_database(app).transaction() as session:
        live = [volumes(session, period, LINES).figures() for period in periods]
    roll(app, PERIOD.first, PERIOD.last)
    with get_database(app).transaction() as session:
        assert [volumes(session, period, LINES).figures() for period in periods] == live
    assert any(figures["returning_cases"] for figures in live)


def test_refreshing_again_replaces_the_old_rollups(app: Flask, twilio: TwilioClient) -> None:
    report_calls.seed(app, twilio)
    roll(app, PERIOD.first, PERIOD.last)
    roll(app, PERIOD.first, PERIOD.last)
    with get_database(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(ReportDay)) == len(PERIOD.days)
        direct = live_tallies(session, PERIOD)
    assert sum(hour.total for hour in direct.hours) == figures_for(app).total_calls


def test_rollup_command(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["reports", "rollup", "--since", "2026-03-01", "--until",
                                 "2026-03-07"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "rolled up 7 days" in result.output
    bad = runner.invoke(
        args=["reports", "rollup", "--since", "2026-03-07", "--until", "2026-03-01"]
    )
    assert bad.exit_code != 0


def test_months_covering_a_period() -> None:
    assert month_span(date(2024, 2, 1)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert months_touched(date(2025, 12, 15), date(2026, 2, 2)) == [
        date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)
    ]  # fmt: skip
    period = Period(date(2025, 12, 15), date(2026, 3, 31), LONDON)
    every_day = set(period.days)
    assert full_months(period, every_day) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert full_months(period, every_day - {date(2026, 2, 14)}) == [
        date(2026, 1, 1), date(2026, 3, 1)
    ]  # fmt: skip
