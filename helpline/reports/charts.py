"""Chart data in UK local time: the weekday x hour heatmap, the trend and its axis. Pure.

Counts arrive per UTC hour. Europe/London is always a whole number of hours from UTC, so each
UTC hour falls inside exactly one local hour, and bucketing by local time here is exact across
the clock changes on either database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from helpline.reports.figures import HourCounts
from helpline.reports.periods import Period

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Bars per period length, so a chart has between ~7 and ~31 bars: hours for one day, days up
# to two months, weeks up to about half a year, months beyond.
DAILY_UP_TO_DAYS = 62
WEEKLY_UP_TO_DAYS = 190


@dataclass(frozen=True)
class TrendBar:
    """Calls in one hour, day, week (from Monday) or month, starting on `first`."""

    first: date
    label: str
    total: int
    answered: int
    hour: int | None = None


def step_of(period: Period) -> str:
    """Return the trend's bar size for a period: "hour", "day", "week" or "month"."""
    days = len(period.days)
    if days == 1:
        return "hour"
    if days <= DAILY_UP_TO_DAYS:
        return "day"
    return "week" if days <= WEEKLY_UP_TO_DAYS else "month"


def heatmap(hours: Iterable[HourCounts], period: Period) -> list[list[int]]:
    """Return calls per [local weekday][local hour], Monday first."""
    grid = [[0] * 24 for _ in WEEKDAYS]
    for hour in hours:
        local = hour.starts_at.astimezone(period.zone)
        grid[local.weekday()][local.hour] += hour.total
    return grid


def busiest(grid: list[list[int]], count: int = 3) -> list[tuple[str, int]]:
    """Return the busiest weekday hours, e.g. ("Mon 10:00-11:00", 12), most calls first."""
    cells = [(calls, day, hour) for day, row in enumerate(grid) for hour, calls in enumerate(row)]
    top = sorted((cell for cell in cells if cell[0]), key=lambda c: (-c[0], c[1], c[2]))
    return [(f"{WEEKDAYS[day]} {hour_span(hour)}", calls) for calls, day, hour in top[:count]]


def hour_span(hour: int) -> str:
    """Return an hour of the day as "09:00-10:00"."""
    return f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"


def trend(hours: Iterable[HourCounts], period: Period) -> list[TrendBar]:
    """Return one bar per local hour, day, week or month of the period, empty ones included."""
    step = step_of(period)
    if step == "hour":
        return _hourly(hours, period)
    starts = [day for day in period.days if day == period.first or _starts(day, step)]
    totals = {day: [0, 0] for day in starts}
    for hour in hours:
        key = max(_bucket(hour.starts_at.astimezone(period.zone).date(), step), period.first)
        totals[key][0] += hour.total
        totals[key][1] += hour.answered
    return [TrendBar(day, _label(day, step), *totals[day]) for day in starts]


def _hourly(hours: Iterable[HourCounts], period: Period) -> list[TrendBar]:
    """Return one bar per local hour of a one-day period."""
    totals = [[0, 0] for _ in range(24)]
    for hour in hours:
        local = hour.starts_at.astimezone(period.zone).hour
        totals[local][0] += hour.total
        totals[local][1] += hour.answered
    day = period.first
    return [TrendBar(day, f"{n:02d}:00", totals[n][0], totals[n][1], n) for n in range(24)]


def axis_label(bar: TrendBar, step: str) -> str:
    """Return a bar's short label under the axis: "09", "2 Mar", or "Mar"."""
    if step == "hour":
        return f"{bar.hour:02d}"
    return f"{bar.first:%b}" if step == "month" else f"{bar.first.day} {bar.first:%b}"


def _starts(day: date, step: str) -> bool:
    """Return True if a bar of this size starts on the day."""
    return step == "day" or (step == "week" and day.weekday() == 0) or day.day == 1


def _bucket(day: date, step: str) -> date:
    """Return the first day of the bar a day falls in."""
    if step == "day":
        return day
    return week_of(day) if step == "week" else day.replace(day=1)


def _label(day: date, step: str) -> str:
    """Return a bar's label: "Mon 2 Mar", "w/c 2 Mar" or "Mar 2026"."""
    if step == "month":
        return f"{day:%b %Y}"
    return f"{'w/c' if step == 'week' else WEEKDAYS[day.weekday()]} {day.day} {day:%b}"


def ticks(largest: int, count: int = 4) -> list[int]:
    """Return round axis values from 0 to at least `largest`, about `count` steps."""
    if largest <= 0:
        return [0, 1]
    rough = largest / count
    magnitude = 10 ** (len(str(int(rough))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    top = -(-largest // step) * step
    return list(range(0, top + 1, step))


def label_every(bars: int, room: int = 8) -> int:
    """Return how often to label a bar so at most about `room` labels fit."""
    return max(1, -(-bars // room))


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


def ink(fill: str) -> str:
    """Return black or white, whichever reads better on a "#rrggbb" fill (WCAG contrast)."""
    light = luminance(fill)
    return "#ffffff" if (1.05 / (light + 0.05)) > ((light + 0.05) / 0.05) else "#1b1b1b"


def luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a "#rrggbb" colour."""
    channels = [int(colour[n : n + 2], 16) / 255 for n in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
