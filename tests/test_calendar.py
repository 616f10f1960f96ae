"""The 14-day routing calendar agrees with the routing code minute by minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpline.closures.calendar import CalendarDay, routing_calendar
from helpline.config import Calendar, load_settings
from helpline.routing import ClosurePeriod, decide

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    """Return the service's real calendar."""
    environ = {"HELPLINE_ENV": "testing", "HELPLINE_CONFIG": str(ROOT / "config/helpline.toml")}
    return load_settings(environ, ROOT / "instance").calendar


def spell_at(days: list[CalendarDay], instant: datetime) -> tuple[bool, str]:
    """Return (open, reason) of the spell covering an instant."""
    for day in days:
        for spell in day.spells:
            if spell.starts_at <= instant < spell.ends_at:
                return spell.open, spell.reason
    raise AssertionError(f"no spell covers {instant}")


CLOSURES = (
    ClosurePeriod(
        datetime(2026, 3, 24, 12, tzinfo=UTC), datetime(2026, 3, 24, 13, 30, tzinfo=UTC), "training"
    ),
    ClosurePeriod(
        datetime(2026, 3, 28, 10, tzinfo=UTC),
        datetime(2026, 3, 28, 12, tzinfo=UTC),
        "event",
        "open",
    ),
)


@pytest.mark.parametrize("first", [date(2026, 3, 23), date(2025, 12, 20), date(2026, 10, 19)])
def test_every_quarter_hour_matches_decide(calendar: Calendar, first: date) -> None:
    days = routing_calendar(first, 14, calendar, CLOSURES)
    instant = datetime.combine(first, datetime.min.time(), tzinfo=calendar.timezone)
    end = datetime.combine(
        first + timedelta(days=14), datetime.min.time(), tzinfo=calendar.timezone
    )
    while instant < end:
        decision = decide(instant, calendar, CLOSURES)
        assert spell_at(days, instant) == (decision.open, decision.reason), instant
        instant = (instant.astimezone(UTC) + timedelta(minutes=15)).astimezone(calendar.timezone)


def test_days_are_whole_and_contiguous(calendar: Calendar) -> None:
    days = routing_calendar(date(2026, 3, 23), 14, calendar, CLOSURES)
    assert [day.day for day in days] == [date(2026, 3, 23) + timedelta(days=n) for n in range(14)]
    for day in days:
        starts = [spell.starts_at for spell in day.spells]
        ends = [spell.ends_at for spell in day.spells]
        assert starts[1:] == ends[:-1]
    clocks_change = days[6]  # Sunday 29 March 2026 has 23 hours
    assert clocks_change.spells[-1].ends_at - clocks_change.spells[0].starts_at == timedelta(
        hours=23
    )


def test_a_weekday_shows_its_opening_hours_and_a_closure(calendar: Calendar) -> None:
    tuesday = routing_calendar(date(2026, 3, 24), 1, calendar, CLOSURES)[0]
    summary = [
        (spell.starts_at.astimezone(calendar.timezone).strftime("%H:%M"), spell.open, spell.reason)
        for spell in tuesday.spells
    ]
    assert summary == [
        ("00:00", False, "before opening"),
        ("09:00", True, "in hours"),
        ("12:00", False, "closure: training"),
        ("13:30", True, "in hours"),
        ("17:00", False, "evening"),
    ]


def test_a_bank_holiday_and_an_opening_on_a_saturday(calendar: Calendar) -> None:
    days = routing_calendar(date(2026, 3, 28), 1, calendar, CLOSURES)
    assert [(s.open, s.reason) for s in days[0].spells] == [
        (False, "weekend"), (True, "opening: event"), (False, "weekend")
    ]  # fmt: skip
    christmas = routing_calendar(date(2026, 12, 25), 1, calendar, ())[0]
    assert [(s.open, s.reason) for s in christmas.spells] == [
        (False, "bank holiday: Christmas Day")
    ]
    assert not christmas.open_at_all and days[0].open_at_all
