"""Decide which line answers a call at a given instant. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

import holidays

from helpline.config import Calendar, Line

ClosureKind = Literal["closed", "open"]
Outcome = Literal[
    "in_hours", "opening", "before_opening", "evening", "weekend", "closed_day",
    "bank_holiday", "closure",
]  # fmt: skip


@dataclass(frozen=True)
class ClosurePeriod:
    """A supervisor's override: closed (or, for kind "open", open) over [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime
    reason: str
    kind: ClosureKind = "closed"

    def covers(self, instant: datetime) -> bool:
        """Return True if the instant falls inside this period."""
        return self.starts_at <= instant < self.ends_at


@dataclass(frozen=True)
class RouteDecision:
    """Where a call at one instant goes, and why, in words a supervisor understands."""

    open: bool
    line: str
    number: str
    reason: str
    outcome: Outcome

    def as_json(self) -> dict[str, Any]:
        """Return the contract's JSON shape for `helpline route`."""
        return {"open": self.open, "line": self.line, "number": self.number, "reason": self.reason}


def decide(
    instant: datetime, calendar: Calendar, closures: Iterable[ClosurePeriod] = ()
) -> RouteDecision:
    """Return the routing decision for an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("routing needs an aware datetime")
    periods = [period for period in closures if period.covers(instant)]
    for period in periods:
        if period.kind == "closed":
            return _closed(calendar, "closure", f"closure: {period.reason}")
    for period in periods:
        return _open(calendar, "opening", f"opening: {period.reason}")
    local = instant.astimezone(calendar.timezone)
    return _by_calendar(local, calendar)


def _by_calendar(local: datetime, calendar: Calendar) -> RouteDecision:
    """Apply bank holidays and weekly opening hours to a local time."""
    holiday = bank_holiday(local.date(), calendar.holiday_country, calendar.holiday_subdivision)
    if holiday:
        return _closed(calendar, "bank_holiday", f"bank holiday: {holiday}")
    hours = calendar.hours.days.get(local.weekday())
    if hours is None:
        weekend = local.weekday() >= 5
        return _closed(
            calendar, *(("weekend", "weekend") if weekend else ("closed_day", "closed today"))
        )
    opens, closes = hours
    now = local.time()
    if now < opens:
        return _closed(calendar, "before_opening", "before opening")
    if now >= closes:
        return _closed(calendar, "evening", "evening")
    return _open(calendar, "in_hours", "in hours")


def _open(calendar: Calendar, outcome: Outcome, reason: str) -> RouteDecision:
    """Return a decision for the in-hours line."""
    return _decision(calendar.in_hours, True, outcome, reason)


def _closed(calendar: Calendar, outcome: Outcome, reason: str) -> RouteDecision:
    """Return a decision for the out-of-hours line."""
    return _decision(calendar.out_of_hours, False, outcome, reason)


def _decision(line: Line, is_open: bool, outcome: Outcome, reason: str) -> RouteDecision:
    """Build a decision for a line."""
    return RouteDecision(
        open=is_open, line=line.key, number=line.number, reason=reason, outcome=outcome
    )


def bank_holiday(day: date, country: str, subdivision: str | None) -> str | None:
    """Return the bank holiday's name on that day, in the words gov.uk uses, or None."""
    name = _holiday_calendar(country, subdivision).get(day)
    if not name:
        return None
    # The holidays package says "(observed)"; UK bank holiday lists say "(substitute day)".
    return str(name).replace("(observed)", "(substitute day)")


@lru_cache(maxsize=8)
def _holiday_calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    """Return the (lazily expanding) holiday calendar for a country and subdivision."""
    return holidays.country_holidays(country, subdiv=subdivision)


def as_local(text: str, calendar: Calendar) -> datetime:
    """Parse an ISO 8601 instant; a naive time is taken as the calendar's local time."""
    instant = datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=calendar.timezone)
    return instant


def describe_hours(calendar: Calendar) -> str:
    """Return the opening hours in speech, e.g. "Monday to Friday, 9am to 5pm"."""
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    groups: list[tuple[list[int], tuple[time, time]]] = []
    for day in sorted(calendar.hours.days):
        hours = calendar.hours.days[day]
        if groups and groups[-1][1] == hours and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], hours))
    parts = []
    for members, (opens, closes) in groups:
        span = (
            days[members[0]] if len(members) == 1 else f"{days[members[0]]} to {days[members[-1]]}"
        )
        parts.append(f"{span}, {_spoken_time(opens)} to {_spoken_time(closes)}")
    return "; ".join(parts)


def _spoken_time(moment: time) -> str:
    """Return a time as people say it: 9am, 5:30pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def working_deadline(
    start: datetime, calendar: Calendar, working_time: timedelta | None = None
) -> datetime:
    """Return when `working_time` of opening hours (default one working day) has passed after start.

    Bank holidays and closed weekdays do not count; closures are ignored, because a callback
    owed is still owed when the line closes for an hour.
    """
    remaining = working_time or _typical_day(calendar)
    local = start.astimezone(calendar.timezone)
    day = local.date()
    for _ in range(366):
        span = _open_span(day, calendar)
        if span is not None:
            opens, closes = span
            begin = max(opens, local)
            if begin < closes:
                if begin + remaining <= closes:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("no opening hours within a year")


def _typical_day(calendar: Calendar) -> timedelta:
    """Return the longest configured opening span: the length of one working day."""
    spans = [
        datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
        for opens, closes in calendar.hours.days.values()
    ]
    return max(spans, default=timedelta(hours=8))


def _open_span(day: date, calendar: Calendar) -> tuple[datetime, datetime] | None:
    """Return the local opening and closing instants on a day, or None if closed all day."""
    hours = calendar.hours.days.get(day.weekday())
    if hours is None or bank_holiday(day, calendar.holiday_country, calendar.holiday_subdivision):
        return None
    zone = calendar.timezone
    return datetime.combine(day, hours[0], tzinfo=zone), datetime.combine(
        day, hours[1], tzinfo=zone
    )
