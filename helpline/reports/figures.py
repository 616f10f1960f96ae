"""What a period's calls add up to, as plain values: hourly counts, tallies and figures. Pure.

live.py counts them from the calls table, rollups.py keeps them per day, and volumes.py puts
a period's figures together; definitions.py says what each one counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from helpline.reports.periods import Period


@dataclass(frozen=True)
class HourCounts:
    """The calls that started in one UTC hour."""

    starts_at: datetime
    total: int
    in_hours: int
    answered: int
    missed: int
    abandoned: int
    voicemail: int


@dataclass(frozen=True)
class Spread:
    """The median and 90th percentile (nearest rank) of some durations, in seconds."""

    count: int
    median: int | None
    p90: int | None


@dataclass(frozen=True)
class Volumes:
    """Every dashboard figure for one period."""

    period: Period
    total_calls: int
    in_hours: int
    answered: int
    missed: int
    abandoned: int
    voicemail: int
    unique_callers: int
    new_cases: int
    returning_cases: int
    out_of_hours_reasons: Mapping[str, int]
    ring: Spread
    talk: Spread
    hours: tuple[HourCounts, ...]
    outcomes: Mapping[str, int] = field(default_factory=dict)
    waits: Mapping[str, int] = field(default_factory=dict)
    repeat_callers: int = 0
    repeat_calls: int = 0
    service_level_seconds: int = 20
    lines: tuple[str, ...] = ()  # the config's line keys in routing order, always-open last
    # The contact-centre measures (measures.py), worked out once the counts are in.
    measures: Mapping[str, Any] = field(default_factory=dict)

    @property
    def out_of_hours(self) -> int:
        """Return the calls that were not in hours."""
        return self.total_calls - self.in_hours

    @property
    def answer_rate(self) -> float | None:
        """Return answered / total calls, or None when there were no calls."""
        return self.answered / self.total_calls if self.total_calls else None

    def figures(self) -> dict[str, Any]:
        """Return the headline figures and the measures as a flat JSON-ready dict."""
        return self._counts() | dict(self.measures)

    def _counts(self) -> dict[str, Any]:
        """Return the figures the volumes API has always had."""
        return {
            "since": self.period.first.isoformat(),
            "until": self.period.last.isoformat(),
            "total_calls": self.total_calls,
            "in_hours": self.in_hours,
            "out_of_hours": self.out_of_hours,
            "answered": self.answered,
            "missed": self.missed,
            "abandoned": self.abandoned,
            "voicemail": self.voicemail,
            "answer_rate": None if self.answer_rate is None else round(self.answer_rate, 4),
            "unique_callers": self.unique_callers,
            "new_cases": self.new_cases,
            "returning_cases": self.returning_cases,
            "ring_seconds_median": self.ring.median,
            "ring_seconds_p90": self.ring.p90,
            "talk_seconds_median": self.talk.median,
            "talk_seconds_p90": self.talk.p90,
        }


@dataclass
class Tallies:
    """The additive part of the figures: sums over days can be split and recombined."""

    hours: list[HourCounts] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    ring: Counter[int] = field(default_factory=Counter)
    talk: Counter[int] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    waits: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tallies) -> None:
        """Add another stretch of days to these tallies."""
        self.hours.extend(other.hours)
        for mine, theirs in zip(self.counters(), other.counters(), strict=True):
            mine.update(theirs)

    def counters(self) -> tuple[Counter[Any], ...]:
        """Return the tallies kept as counters, in MEASURES order (see rollups.py)."""
        return (self.reasons, self.ring, self.talk, self.outcomes, self.waits)


def spread_of(histogram: Iterable[tuple[int, int]]) -> Spread:
    """Return the nearest-rank median and 90th percentile of (value, count) pairs."""
    pairs = sorted(histogram)
    total = sum(count for _, count in pairs)
    return Spread(total, percentile(pairs, total, 0.5), percentile(pairs, total, 0.9))


def percentile(pairs: list[tuple[int, int]], total: int, fraction: float) -> int | None:
    """Return the smallest value whose cumulative count reaches the nearest rank."""
    if not total:
        return None
    rank, seen = math.ceil(fraction * total), 0
    for value, count in pairs:
        seen += count
        if seen >= rank:
            return value
    return pairs[-1][0]
