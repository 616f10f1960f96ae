"""Decide which line answers a call at a given instant. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

import holidays

from helpline.config import Calendar, Line, OpeningHours

ClosureKind = Literal["closed", "open"]
Outcome = Literal[
    "in_hours",
    "opening",
    "before_opening",
    "evening",
    "weekend",
    "closed_day",
    "bank_holiday",
    "closure",
]


@dataclass(frozen=True)
class ClosurePeriod:
    """A supervisor's override: closed (or, for kind "open", open) over [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime
    reason: str
    kind: ClosureKind = "closed"
    # The line's key; None (closures set before lines had their own) means the main line.
    line: str | None = None

    def covers(self, instant: datetime) -> bool:
        """Return True if the instant falls inside this period."""
        return self.starts_at <= instant < self.ends_at

    def applies_to(self, line: Line, calendar: Calendar) -> bool:
        """Return True if this closure (or opening) is for that line."""
        return calendar.line_for(self.line) == line


@dataclass(frozen=True)
class LineState:
    """Whether one line is open at an instant, and why, in words a supervisor understands."""

    open: bool
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class RouteDecision:
    """Where a call at one instant goes, and why, in words a supervisor understands."""

    open: bool  # True when a line with opening hours takes the call
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
    """Return the routing decision for an aware instant.

    The first line with hours that is open takes the call; if none is, the always-open line
    does, with the reason the main line is closed.
    """
    if instant.tzinfo is None:
        raise ValueError("routing needs an aware datetime")
    periods = [period for period in closures if period.covers(instant)]
    main_closed: LineState | None = None
    for line in calendar.scheduled:
        state = line_state(instant, line, calendar, periods)
        if state.open:
            return _decision(line, state)
        main_closed = main_closed or state
    assert main_closed is not None  # config requires at least one line with hours
    return _decision(calendar.always_open, main_closed)


def line_state(
    instant: datetime, line: Line, calendar: Calendar, closures: Iterable[ClosurePeriod] = ()
) -> LineState:
    """Return whether a line with hours is open at an instant: closures first, then its hours."""
    periods = [p for p in closures if p.covers(instant) and p.applies_to(line, calendar)]
    for period in periods:
        if period.kind == "closed":
            return LineState(False, "closure", f"closure: {period.reason}")
    for period in periods:
        return LineState(True, "opening", f"opening: {period.reason}")
    return _by_hours(instant.astimezone(calendar.timezone), line, calendar)


def _by_hours(local: datetime, line: Line, calendar: Calendar) -> LineState:
    """Apply bank holidays and the line's weekly opening hours to a local time."""
    holiday = _holiday_for(local.date(), line, calendar)
    if holiday:
        return LineState(False, "bank_holiday", f"bank holiday: {holiday}")
    hours = line.hours.days.get(local.weekday()) if line.hours else None
    if hours is None:
        weekend = local.weekday() >= 5
        return LineState(
            False, *(("weekend", "weekend") if weekend else ("closed_day", "closed today"))
        )
    opens, closes = hours
    if local.time() < opens:
        return LineState(False, "before_opening", "before opening")
    if local.time() >= closes:
        return LineState(False, "evening", "evening")
    return LineState(True, "in_hours", "in hours")


def _holiday_for(day: date, line: Line, calendar: Calendar) -> str | None:
    """Return the bank holiday that closes the line that day, or None."""
    if line.open_on_bank_holidays:
        return None
    return bank_holiday(day, calendar.holiday_country, calendar.holiday_subdivision)


def _decision(line: Line, state: LineState) -> RouteDecision:
    """Build a decision to connect a call to a line."""
    return RouteDecision(
        open=line.hours is not None,
        line=line.key,
        number=line.number,
        reason=state.reason,
        outcome=state.outcome,
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


def describe_hours(opening: OpeningHours) -> str:
    """Return opening hours in speech, e.g. "Monday to Friday, 9am to 5pm"."""
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    groups: list[tuple[list[int], tuple[time, time]]] = []
    for day in sorted(opening.days):
        hours = opening.days[day]
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
    """Return when `working_time` of the main line's hours (default one working day) has passed.

    Bank holidays and closed weekdays do not count; closures are ignored, because a callback
    owed is still owed when the line closes for an hour.
    """
    remaining = working_time or working_day(calendar)
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


def opening_days(line: Line) -> Mapping[int, tuple[time, time]]:
    """Return a line's opening times by weekday (none for the always-open line)."""
    return line.hours.days if line.hours else {}


def working_day(calendar: Calendar) -> timedelta:
    """Return the main line's longest opening span: the length of one working day."""
    spans = [
        datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
        for opens, closes in opening_days(calendar.main).values()
    ]
    return max(spans, default=timedelta(hours=8))


def _open_span(day: date, calendar: Calendar) -> tuple[datetime, datetime] | None:
    """Return the main line's local opening and closing instants on a day, or None if closed."""
    hours = opening_days(calendar.main).get(day.weekday())
    if hours is None or _holiday_for(day, calendar.main, calendar):
        return None
    zone = calendar.timezone
    return datetime.combine(day, hours[0], tzinfo=zone), datetime.combine(
        day, hours[1], tzinfo=zone
    )
