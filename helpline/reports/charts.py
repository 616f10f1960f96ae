"""Chart data in UK local time: the weekday x hour heatmap and the daily or weekly trend. Pure.

Counts arrive per UTC hour. Europe/London is always a whole number of hours from UTC, so each
UTC hour falls inside exactly one local hour, and bucketing by local time here is exact across
the clock changes on either database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from helpline.reports.periods import Period
from helpline.reports.volumes import HourCounts

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKLY_AFTER_DAYS = 62  # longer periods are drawn week by week so the bars stay readable


@dataclass(frozen=True)
class TrendBar:
    """Calls in one day or one week (starting on `first`)."""

    first: date
    label: str
    total: int
    answered: int


def heatmap(hours: Iterable[HourCounts], period: Period) -> list[list[int]]:
    """Return calls per [local weekday][local hour], Monday first."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for hour in hours:
        local = hour.starts_at.astimezone(period.zone)
        grid[local.weekday()][local.hour] += hour.total
    return grid


def trend(hours: Iterable[HourCounts], period: Period) -> list[TrendBar]:
    """Return one bar per local day, or per week (from Monday) for long periods."""
    weekly = len(period.days) > WEEKLY_AFTER_DAYS
    starts = [day for day in period.days if not weekly or day.weekday() == 0 or day == period.first]
    totals = {day: [0, 0] for day in starts}
    for hour in hours:
        day = hour.starts_at.astimezone(period.zone).date()
        key = max(week_of(day), period.first) if weekly else day
        totals[key][0] += hour.total
        totals[key][1] += hour.answered
    return [TrendBar(day, _label(day, weekly), *totals[day]) for day in starts]


def _label(day: date, weekly: bool) -> str:
    """Return a bar's label: "Mon 2 Mar" for a day, "w/c 2 Mar" for a week."""
    return f"{'w/c' if weekly else WEEKDAYS[day.weekday()]} {day.day} {day:%b}"


def scale(value: int, largest: int, size: float) -> float:
    """Return value's share of size, with 0 for an empty chart."""
    return round(size * value / largest, 1) if largest else 0.0


def shade(value: int, largest: int) -> str:
    """Return a heatmap cell colour from pale (few calls) to the accent colour (most)."""
    if not value or not largest:
        return "#f3f1f6"
    strength = 0.15 + 0.85 * value / largest
    low, high = (243, 241, 246), (91, 42, 134)
    channels = (round(a + (b - a) * strength) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*channels)


def week_of(day: date) -> date:
    """Return the Monday of a day's week."""
    return day - timedelta(days=day.weekday())
