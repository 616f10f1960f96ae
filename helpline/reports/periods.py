"""Reporting periods: whole UK local days, turned into UTC bounds. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


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


MAX_DAYS = 732  # two years: longer ranges are refused rather than left to time out


def parse_period(since: str | None, until: str | None, default: Period) -> Period:
    """Return the period named by YYYY-MM-DD bounds (inclusive); raise ValueError if wrong."""
    first = date.fromisoformat(since.strip()) if since and since.strip() else default.first
    last = date.fromisoformat(until.strip()) if until and until.strip() else default.last
    if last < first:
        raise ValueError("the period must end on or after the day it starts")
    if (last - first).days >= MAX_DAYS:
        raise ValueError(f"a period can be at most {MAX_DAYS} days")
    return Period(first, last, default.zone)


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
