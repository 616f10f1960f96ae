"""Periods: since/until as people type them, and reports' whole UK local days. Pure.

One parser reads since and until everywhere (the APIs, `helpline calls export`, the report
pages and commands): a date is a whole UK day, both ends inclusive; an ISO 8601 date and time
is an instant, a naive one in UK time. A wrong value raises PeriodError naming which end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FORMS = "a date (YYYY-MM-DD, a whole UK day) or an ISO 8601 date and time (e.g. 2026-12-24T13:00)"
TOO_FAR = "is too far in the past or the future"
MAX_DAYS = 732  # two years: longer report periods are refused rather than left to time out


class PeriodError(ValueError):
    """A since or until that names no day or instant, or ends before it starts."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


@dataclass(frozen=True)
class Span:
    """The instants [since, until) asked for, in UTC; None where an end was left open."""

    since: datetime | None
    until: datetime | None


def parse_span(since: str | None, until: str | None, zone: ZoneInfo) -> Span:
    """Read since and until as people type them (see above); raise PeriodError if wrong."""
    span = Span(_bound("since", since, zone, end=False), _bound("until", until, zone, end=True))
    if span.since is not None and span.until is not None and span.until <= span.since:
        raise PeriodError("until", "must be after since")
    return span


def _bound(name: str, text: str | None, zone: ZoneInfo, end: bool) -> datetime | None:
    """Return one end as a UTC instant: a date's first instant (the next day's, for an end)."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return _instant(value, zone, end)
    except ValueError:
        raise PeriodError(name, f"not {FORMS}: {value!r}") from None
    except OverflowError:
        raise PeriodError(name, TOO_FAR) from None


def _instant(value: str, zone: ZoneInfo, end: bool) -> datetime:
    """Parse a date (a whole local day) or an ISO 8601 instant (naive means local)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        instant = datetime.fromisoformat(value)
        return (instant if instant.tzinfo else instant.replace(tzinfo=zone)).astimezone(UTC)
    day += timedelta(days=1 if end else 0)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """The local days first..last (inclusive) in a time zone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def since(self) -> datetime:
        """Return the first instant of the period, in UTC."""
        return datetime.combine(self.first, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def until(self) -> datetime:
        """Return the first instant after the period, in UTC."""
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        """Return every local day in the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def label(self) -> str:
        """Return the period as people write it, e.g. "1 Jan 2026 to 31 Mar 2026"."""
        return f"{_day(self.first)} to {_day(self.last)}"

    def label_on(self, today: date) -> str:
        """Return the label, saying "to date" when the period is not over on `today`."""
        if self.first <= today < self.last:
            return f"{self.label()}, to date ({_day(today)})"
        return self.label()

    def before(self) -> Period:
        """Return the period just before: as many whole months if it is months, else days."""
        last = self.first - timedelta(days=1)
        months = _whole_months(self.first, self.last)
        if months:
            index = self.first.year * 12 + self.first.month - 1 - months
            return Period(date(index // 12, index % 12 + 1, 1), last, self.zone)
        return Period(last - (self.last - self.first), last, self.zone)

    def year_to_date(self, year_starts: int = 4) -> Period:
        """Return the financial year (April to March by default) up to this period's end."""
        year = self.last.year - (self.last.month < year_starts)
        return Period(date(year, year_starts, 1), self.last, self.zone)


def _whole_months(first: date, last: date) -> int:
    """Return how many calendar months first..last covers exactly, or 0 if not whole months."""
    if first.day != 1 or (last + timedelta(days=1)).day != 1:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _day(value: date) -> str:
    """Return a date as "1 Jan 2026"."""
    return f"{value.day} {value:%b %Y}"


def parse_period(since: str | None, until: str | None, default: Period) -> Period:
    """Return the whole UK days since..until cover (the default's where open); or PeriodError."""
    span, zone = parse_span(since, until, default.zone), default.zone
    first = _day_of("since", span.since, zone, end=False) if span.since else default.first
    last = _day_of("until", span.until, zone, end=True) if span.until else default.last
    if last < first:
        end = "until" if span.until else "since"
        raise PeriodError(end, "the period must end on or after the day it starts")
    if (last - first).days >= MAX_DAYS:
        end = "until" if span.until else "since"
        raise PeriodError(end, f"a period is at most {MAX_DAYS} days")
    return Period(first, last, zone)


def _day_of(name: str, instant: datetime, zone: ZoneInfo, end: bool) -> date:
    """Return the UK day an instant falls on; for an end, the day of the instant just before."""
    try:
        return (instant - timedelta.resolution * end).astimezone(zone).date()
    except OverflowError:
        raise PeriodError(name, TOO_FAR) from None


def last_days(today: date, count: int, zone: ZoneInfo) -> Period:
    """Return the `count` local days ending today."""
    return Period(today - timedelta(days=count - 1), today, zone)


def quarter_of(day: date, zone: ZoneInfo) -> Period:
    """Return the calendar quarter (Jan-Mar, Apr-Jun, ...) containing a day."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    first = date(day.year, first_month, 1)
    next_first = date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return Period(first, next_first - timedelta(days=1), zone)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """Return today's date in the zone."""
    return now.astimezone(zone).date()
