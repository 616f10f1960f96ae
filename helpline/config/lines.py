"""The lines and when each takes calls: [lines.*], their hours, bank holidays and the timezone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpline import phones
from helpline.config.values import ConfigError, required_table, text

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LINE_KEY = re.compile(r"^[a-z_]+$")
REFERENCE_PREFIX = re.compile(r"^[A-Z]{2,6}$")


@dataclass(frozen=True)
class OpeningHours:
    """Open [opens, closes) local time for each weekday (0 = Monday) the line opens."""

    days: Mapping[int, tuple[time, time]]


@dataclass(frozen=True)
class Line:
    """A phone line the helpline can connect callers to, and when it takes calls."""

    key: str
    name: str
    number: str  # E.164
    hours: OpeningHours | None = None  # None: the line that takes every call no other line does
    open_on_bank_holidays: bool = False

    @property
    def national(self) -> str:
        """Return the number as a UK caller would write it."""
        return phones.format_national(self.number)


@dataclass(frozen=True)
class Calendar:
    """Everything routing needs besides closures: pure data, no I/O."""

    timezone: ZoneInfo
    holiday_country: str
    holiday_subdivision: str | None
    # In the order routing tries them: each line with hours in turn, then the always-open line.
    lines: tuple[Line, ...]

    @property
    def main(self) -> Line:
        """Return the first line routing tries: the service's own line."""
        return self.lines[0]

    @property
    def scheduled(self) -> tuple[Line, ...]:
        """Return the lines with opening hours, in the order routing tries them."""
        return self.lines[:-1]

    @property
    def always_open(self) -> Line:
        """Return the line that takes every call when no line with hours is open."""
        return self.lines[-1]

    def line_for(self, key: str | None) -> Line | None:
        """Return a closure's line: no key is the main line (closures set before lines had
        their own); a key no longer in the config is no line at all."""
        if key is None:
            return self.main
        return next((line for line in self.lines if line.key == key), None)

    def name_of(self, key: str | None) -> str:
        """Return a closure's line by name, saying so when the config no longer has it."""
        line = self.line_for(key)
        return line.name if line else f"{key} line (no longer set up)"

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the lines' keys in routing order."""
        return tuple(line.key for line in self.lines)


def calendar(raw: Mapping[str, Any], source: str) -> Calendar:
    """Build the routing calendar from the timezone, holidays and lines."""
    service = required_table(raw, "service", source)
    holidays = required_table(raw, "bank_holidays", source)
    if "hours" in raw:
        raise ConfigError(source, "hours", "opening hours belong to a line: [lines.<key>.hours]")
    subdivision = holidays.get("subdivision")
    return Calendar(
        timezone=_timezone(service.get("timezone"), source),
        holiday_country=_holiday_country(holidays, subdivision, source),
        holiday_subdivision=subdivision,
        lines=_lines(required_table(raw, "lines", source), source),
    )


def reference_prefix(service: Mapping[str, Any], source: str) -> str:
    """Return the case reference prefix: two to six capital letters."""
    prefix = text(service, "case_reference_prefix", f"{source}: service")
    if not REFERENCE_PREFIX.match(prefix):
        raise ConfigError(source, "service.case_reference_prefix", "must be 2-6 capital letters")
    return prefix


def _timezone(value: Any, source: str) -> ZoneInfo:
    """Return the IANA zone named by service.timezone."""
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, "service.timezone", f"unknown timezone {value!r}") from None


def _holiday_country(holidays: Mapping[str, Any], subdivision: Any, source: str) -> str:
    """Check the bank-holiday calendar exists in the holidays package."""
    import holidays as holidays_package

    country = str(holidays.get("country", ""))
    try:
        holidays_package.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError as error:
        raise ConfigError(source, "bank_holidays", str(error)) from None
    return country


def _lines(table: Mapping[str, Any], source: str) -> tuple[Line, ...]:
    """Parse every [lines.*] table: lines with hours in the order written, then the one without."""
    lines = [_line(key, entry, source) for key, entry in table.items()]
    always_open = [line for line in lines if line.hours is None]
    if len(always_open) != 1:
        named = ", ".join(line.key for line in always_open) or "none"
        raise ConfigError(
            source,
            "lines",
            f"exactly one line must have no hours (it takes every other call); found {named}",
        )
    scheduled = tuple(line for line in lines if line.hours is not None)
    if not scheduled:
        raise ConfigError(source, "lines", "at least one line needs opening hours")
    return (*scheduled, always_open[0])


def _line(key: str, entry: Any, source: str) -> Line:
    """Parse one [lines.<key>] table: its name, number and, unless always open, its hours."""
    where = f"lines.{key}"
    if not LINE_KEY.match(key):
        raise ConfigError(source, where, "a line's key is lower-case letters and underscores")
    if not isinstance(entry, Mapping):
        raise ConfigError(source, where, "must be a table")
    number = phones.to_e164(str(entry.get("number", "")))
    if number is None:
        raise ConfigError(
            source, f"{where}.number", f"unparseable phone number {entry.get('number')!r}"
        )
    hours = entry.get("hours")
    if hours is not None and not isinstance(hours, Mapping):
        raise ConfigError(source, f"{where}.hours", "must be a table of weekdays")
    bank_holidays = entry.get("open_on_bank_holidays", False)
    if not isinstance(bank_holidays, bool):
        raise ConfigError(source, f"{where}.open_on_bank_holidays", "must be true or false")
    return Line(
        key=key,
        name=text(entry, "name", f"{source}: {where}"),
        number=number,
        hours=None if hours is None else _hours(hours, source, f"{where}.hours"),
        open_on_bank_holidays=bank_holidays,
    )


def _hours(table: Mapping[str, Any], source: str, where: str) -> OpeningHours:
    """Parse "HH:MM-HH:MM" per weekday name into open/close times."""
    days: dict[int, tuple[time, time]] = {}
    for name, value in table.items():
        if name not in WEEKDAYS:
            raise ConfigError(source, f"{where}.{name}", "unknown weekday")
        days[WEEKDAYS.index(name)] = _time_range(str(value), source, f"{where}.{name}")
    return OpeningHours(days=days)


def _time_range(value: str, source: str, key: str) -> tuple[time, time]:
    """Parse one "09:00-17:00" range; opening must come before closing."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ConfigError(source, key, f"expected HH:MM-HH:MM, got {value!r}") from None
    if start >= end:
        raise ConfigError(source, key, f"opening time must be before closing time in {value!r}")
    return start, end
