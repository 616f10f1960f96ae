"""The routing calendar: open and closed periods, day by day, from the routing code itself. Pure.

Routing only changes at local midnight, at opening and closing times and where a closure starts
or ends, so deciding once at each such point and merging equal neighbours is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from helpline.config import Calendar
from helpline.routing import ClosurePeriod, RouteDecision, decide, opening_days


@dataclass(frozen=True)
class RoutingSpell:
    """A stretch of one local day with the same routing: which line, and why."""

    starts_at: datetime
    ends_at: datetime
    open: bool
    line: str
    reason: str


@dataclass(frozen=True)
class CalendarDay:
    """One local day's spells, in order, covering the whole day."""

    day: date
    spells: tuple[RoutingSpell, ...]

    @property
    def open_at_all(self) -> bool:
        """Return True if a line with opening hours takes calls at any time that day."""
        return any(spell.open for spell in self.spells)


def routing_calendar(
    first: date, days: int, calendar: Calendar, closures: Sequence[ClosurePeriod]
) -> list[CalendarDay]:
    """Return `days` local days from `first`, each split into spells by `routing.decide`."""
    return [calendar_day(first + timedelta(days=n), calendar, closures) for n in range(days)]


def calendar_day(day: date, calendar: Calendar, closures: Sequence[ClosurePeriod]) -> CalendarDay:
    """Return one day's spells."""
    spells: list[RoutingSpell] = []
    for start, end in pairwise(change_points(day, calendar, closures)):
        decision = decide(start, calendar, closures)
        if spells and _same(spells[-1], decision):
            spells[-1] = _spell(spells[-1].starts_at, end, decision)
        else:
            spells.append(_spell(start, end, decision))
    return CalendarDay(day, tuple(spells))


def change_points(
    day: date, calendar: Calendar, closures: Sequence[ClosurePeriod]
) -> list[datetime]:
    """Return every instant (UTC) in the day where routing may change, midnight to midnight."""
    start = _local(day, time(0), calendar)
    end = _local(day + timedelta(days=1), time(0), calendar)
    points = {start, end}
    for line in calendar.scheduled:
        points.update(
            _local(day, moment, calendar) for moment in opening_days(line).get(day.weekday(), ())
        )
    for period in closures:
        points.update(edge.astimezone(UTC) for edge in (period.starts_at, period.ends_at))
    return sorted(point for point in points if start <= point <= end)


def _local(day: date, moment: time, calendar: Calendar) -> datetime:
    """Return a local wall-clock time on a day as a UTC instant.

    UTC keeps comparisons exact in the hour that repeats when the clocks go back.
    """
    return datetime.combine(day, moment, tzinfo=calendar.timezone).astimezone(UTC)


def _same(spell: RoutingSpell, decision: RouteDecision) -> bool:
    """Return True if a decision continues a spell."""
    return (spell.open, spell.line, spell.reason) == (decision.open, decision.line, decision.reason)


def _spell(start: datetime, end: datetime, decision: RouteDecision) -> RoutingSpell:
    """Return a spell for a decision."""
    return RoutingSpell(start, end, decision.open, decision.line, decision.reason)
