"""Routing: opening hours, weekends, bank holidays, clock changes and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

from helpline.config import Calendar, load_settings
from helpline.routing import ClosurePeriod, RouteDecision, as_local, bank_holiday, decide

ROOT = Path(__file__).resolve().parent.parent
HARMONY, SUPPORT = "+443301757258", "+448081689111"


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    """Return the calendar of the real config file."""
    environ = {"HELPLINE_CONFIG": str(ROOT / "config/helpline.toml"), "HELPLINE_ENV": "testing"}
    return load_settings(environ, ROOT / "instance").calendar


def route(
    calendar: Calendar, text: str, closures: list[ClosurePeriod] | None = None
) -> RouteDecision:
    """Route an ISO 8601 instant (naive means UK time)."""
    return decide(as_local(text, calendar), calendar, closures or [])


@pytest.mark.parametrize(
    ("instant", "is_open", "reason"),
    [
        ("2026-11-24T08:59:59", False, "before opening"),
        ("2026-11-24T09:00:00", True, "in hours"),
        ("2026-11-24T16:59:59", True, "in hours"),
        ("2026-11-24T17:00:00", False, "evening"),
        ("2026-11-24T23:59:59", False, "evening"),
        ("2026-11-24T00:00:00", False, "before opening"),
        ("2026-11-28T10:00:00", False, "weekend"),  # Saturday
        ("2026-11-29T10:00:00", False, "weekend"),  # Sunday
        ("2026-11-27T16:59:59", True, "in hours"),  # Friday
        ("2026-11-30T09:00:00", True, "in hours"),  # Monday
    ],
)
def test_weekday_boundaries(calendar: Calendar, instant: str, is_open: bool, reason: str) -> None:
    """Open from 09:00:00 inclusive to 17:00:00 exclusive, UK time, on weekdays."""
    decision = route(calendar, instant)
    assert (decision.open, decision.reason) == (is_open, reason)
    assert decision.number == (HARMONY if is_open else SUPPORT)
    assert decision.line == ("harmony" if is_open else "out_of_hours")


@pytest.mark.parametrize(
    ("instant", "reason"),
    [
        ("2026-04-03T10:00:00", "bank holiday: Good Friday"),
        ("2026-04-06T10:00:00", "bank holiday: Easter Monday"),
        ("2026-12-25T10:00:00", "bank holiday: Christmas Day"),
        ("2026-12-28T10:00:00", "bank holiday: Boxing Day (substitute day)"),
        ("2027-12-27T12:00:00", "bank holiday: Christmas Day (substitute day)"),
        ("2026-05-04T09:00:00", "bank holiday: May Day"),
        ("2026-08-31T16:59:59", "bank holiday: Late Summer Bank Holiday"),
    ],
)
def test_bank_holidays_are_closed(calendar: Calendar, instant: str, reason: str) -> None:
    """England & Wales bank holidays, substitute days included, go to the support line."""
    decision = route(calendar, instant)
    assert (decision.open, decision.number, decision.reason) == (False, SUPPORT, reason)


def test_day_after_substitute_day_is_open(calendar: Calendar) -> None:
    """2026-12-29 is an ordinary Tuesday."""
    assert route(calendar, "2026-12-29T09:00:00").open


@pytest.mark.parametrize(
    ("instant", "is_open", "reason"),
    [
        # Spring forward: 2026-03-29. Monday 30 March is BST (UTC+1).
        ("2026-03-30T07:59:59Z", False, "before opening"),
        ("2026-03-30T08:00:00Z", True, "in hours"),
        ("2026-03-30T15:59:59Z", True, "in hours"),
        ("2026-03-30T16:00:00Z", False, "evening"),
        # Friday before, still GMT.
        ("2026-03-27T08:59:59Z", False, "before opening"),
        ("2026-03-27T09:00:00Z", True, "in hours"),
        # Fall back: 2026-10-25. Monday 26 October is GMT (UTC+0).
        ("2026-10-26T08:59:59Z", False, "before opening"),
        ("2026-10-26T09:00:00Z", True, "in hours"),
        ("2026-10-26T16:59:59Z", True, "in hours"),
        ("2026-10-26T17:00:00Z", False, "evening"),
        # Friday before, still BST: 16:00Z is 17:00 local.
        ("2026-10-23T16:00:00Z", False, "evening"),
        ("2026-10-23T15:59:59+00:00", True, "in hours"),
        ("2026-10-23T16:59:59+01:00", True, "in hours"),
    ],
)
def test_clock_changes(calendar: Calendar, instant: str, is_open: bool, reason: str) -> None:
    """Hours follow UK local time across the clock changes; UTC instants are converted."""
    decision = route(calendar, instant)
    assert (decision.open, decision.reason) == (is_open, reason)


def test_closure_starting_mid_afternoon(calendar: Calendar) -> None:
    """A closure from 14:30 sends calls to the support line from then until it ends."""
    london = calendar.timezone
    closure = ClosurePeriod(
        starts_at=datetime(2026, 11, 24, 14, 30, tzinfo=london),
        ends_at=datetime(2026, 11, 24, 17, 0, tzinfo=london),
        reason="staff training",
    )
    assert route(calendar, "2026-11-24T14:29:59", [closure]).reason == "in hours"
    during = route(calendar, "2026-11-24T14:30:00", [closure])
    assert (during.open, during.number, during.reason) == (
        False,
        SUPPORT,
        "closure: staff training",
    )
    assert route(calendar, "2026-11-24T16:59:59", [closure]).reason == "closure: staff training"
    assert route(calendar, "2026-11-25T09:00:00", [closure]).reason == "in hours"


def test_opening_on_a_closed_day(calendar: Calendar) -> None:
    """An "open" override opens the line on a Saturday, and a closure beats it."""
    london = calendar.timezone
    start, end = (
        datetime(2026, 11, 28, 10, tzinfo=london),
        datetime(2026, 11, 28, 14, tzinfo=london),
    )
    opening = ClosurePeriod(start, end, "community event", kind="open")
    decision = route(calendar, "2026-11-28T11:00:00", [opening])
    assert (decision.open, decision.number, decision.reason) == (
        True,
        HARMONY,
        "opening: community event",
    )
    closure = ClosurePeriod(start, end, "fire alarm")
    assert (
        route(calendar, "2026-11-28T11:00:00", [opening, closure]).reason == "closure: fire alarm"
    )
    assert route(calendar, "2026-11-28T14:00:00", [opening]).reason == "weekend"


def test_naive_instant_is_uk_time_and_aware_is_converted(calendar: Calendar) -> None:
    """A naive time means Europe/London; an offset is honoured."""
    assert as_local("2026-07-01T09:00:00", calendar).utcoffset() == timedelta(hours=1)
    assert as_local("2026-07-01T08:00:00Z", calendar) == datetime(2026, 7, 1, 8, tzinfo=UTC)


def test_naive_datetime_refused(calendar: Calendar) -> None:
    """The pure core never guesses a timezone."""
    with pytest.raises(ValueError, match="aware"):
        decide(datetime(2026, 7, 1, 9), calendar)  # noqa: DTZ001


def every_covered_year() -> range:
    """Return the years the holidays package covers for the UK."""
    from holidays.countries.united_kingdom import UnitedKingdom

    return range(max(UnitedKingdom.start_year, 1971), UnitedKingdom.end_year + 1)


def test_agrees_with_package_for_every_covered_year(calendar: Calendar) -> None:
    """Every England & Wales bank holiday closes the line all day; every other weekday opens."""
    official = holidays.country_holidays("GB", subdiv="ENG", years=every_covered_year())
    for year in every_covered_year():
        day = date(year, 1, 1)
        while day.year == year:
            expected_holiday = official.get(day)
            for clock in ("09:00:00", "16:59:59"):
                decision = route(calendar, f"{day.isoformat()}T{clock}")
                if expected_holiday:
                    assert decision.reason.startswith("bank holiday: "), (day, decision)
                else:
                    assert decision.open == (day.weekday() < 5), (day, decision)
            day += timedelta(days=1)


def test_substitute_day_named_as_on_gov_uk() -> None:
    """The package's "(observed)" reads "(substitute day)", as the official list has it."""
    assert bank_holiday(date(2026, 12, 28), "GB", "ENG") == "Boxing Day (substitute day)"
    assert bank_holiday(date(2026, 12, 29), "GB", "ENG") is None


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        ("2026-11-24T14:00:00", "2026-11-25T14:00:00"),  # Tuesday afternoon -> Wednesday
        ("2026-11-24T18:30:00", "2026-11-25T17:00:00"),  # evening -> end of next day
        ("2026-11-24T07:00:00", "2026-11-24T17:00:00"),  # before opening -> same day close
        ("2026-11-27T10:00:00", "2026-11-30T10:00:00"),  # Friday -> Monday
        ("2026-11-28T12:00:00", "2026-11-30T17:00:00"),  # Saturday -> Monday close
        ("2026-12-24T15:00:00", "2026-12-29T15:00:00"),  # Christmas, Boxing Day substitute
        ("2026-03-27T16:00:00", "2026-03-30T16:00:00"),  # across the spring clock change
    ],
)
def test_working_deadline_counts_opening_hours(
    calendar: Calendar, requested: str, due: str
) -> None:
    """A callback is due one working day (in opening hours) after it is asked for."""
    from helpline.routing import working_deadline

    start = as_local(requested, calendar)
    assert working_deadline(start, calendar) == as_local(due, calendar)
