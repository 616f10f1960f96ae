"""Call volumes for a period as plain figures; see definitions.py for what each one counts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from helpline.models import Call, Case
from helpline.reports import definitions as d
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

    @property
    def out_of_hours(self) -> int:
        """Return the calls that were not in hours."""
        return self.total_calls - self.in_hours

    @property
    def answer_rate(self) -> float | None:
        """Return answered / total calls, or None when there were no calls."""
        return self.answered / self.total_calls if self.total_calls else None

    def figures(self) -> dict[str, Any]:
        """Return the headline figures as a flat JSON-ready dict."""
        from helpline.reports.measures import measure_figures

        return self._counts() | measure_figures(self)

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


def volumes(
    session: Session, period: Period, lines: Sequence[str], service_level_seconds: int = 20
) -> Volumes:
    """Return every figure for the period, from the rollups where days have them.

    lines are the config's line keys in routing order: outcomes and measures follow them.
    """
    from helpline.reports.rollups import distinct_counts, repeat_counts, tallies

    counted = tallies(session, period)
    hours = sorted(counted.hours, key=lambda hour: hour.starts_at)
    callers, new_cases, returning_cases = distinct_counts(session, period)
    repeat_callers, repeat_calls = repeat_counts(session, period)
    return Volumes(
        period=period,
        total_calls=sum(hour.total for hour in hours),
        in_hours=sum(hour.in_hours for hour in hours),
        answered=sum(hour.answered for hour in hours),
        missed=sum(hour.missed for hour in hours),
        abandoned=sum(hour.abandoned for hour in hours),
        voicemail=sum(hour.voicemail for hour in hours),
        unique_callers=callers,
        new_cases=new_cases,
        returning_cases=returning_cases,
        out_of_hours_reasons=dict(
            sorted(counted.reasons.items(), key=lambda item: (-item[1], item[0]))
        ),
        ring=spread_of(counted.ring.items()),
        talk=spread_of(counted.talk.items()),
        hours=tuple(hours),
        outcomes=dict(counted.outcomes),
        waits=dict(counted.waits),
        repeat_callers=repeat_callers,
        repeat_calls=repeat_calls,
        service_level_seconds=service_level_seconds,
        lines=tuple(lines),
    )


def live_tallies(session: Session, period: Period) -> Tallies:
    """Return the tallies for a period straight from the calls table."""
    return Tallies(
        hours=hourly_counts(session, period),
        reasons=Counter(out_of_hours_reasons(session, period)),
        ring=histogram(session, period, Call.duration_seconds - Call.talk_seconds),
        talk=histogram(session, period, Call.talk_seconds, d.is_answered()),
        outcomes=outcome_counts(session, period),
        waits=wait_counts(session, period),
    )


def outcome_counts(session: Session, period: Period) -> Counter[str]:
    """Return the calls by "routed line|outcome|dialled line" ("-" where there was none)."""
    parts = (Call.route_line, d.outcome(), Call.dial_line)
    labelled = [func.coalesce(part, "-").label(f"p{n}") for n, part in enumerate(parts)]
    query = select(*labelled, func.count()).select_from(Call)
    rows = session.execute(in_period(query, period).group_by(*labelled)).all()
    return Counter({f"{row[0]}|{row[1]}|{row[2]}": int(row[3]) for row in rows})


def wait_counts(session: Session, period: Period) -> Counter[str]:
    """Return the answered calls by "answering line|whole seconds of time to answer"."""
    seconds = d.time_to_answer().label("seconds")
    line = func.coalesce(Call.dial_line, "-").label("line")
    query = select(line, seconds, func.count()).select_from(Call).where(seconds.is_not(None))
    counted: Counter[str] = Counter()
    grouped = in_period(query, period).group_by(line, seconds)
    for answering, value, calls in session.execute(grouped):
        counted[f"{answering}|{max(int(value), 0)}"] += int(calls)
    return counted


Query = TypeVar("Query", bound="Select[*tuple[Any, ...]]")


def in_period(query: Query, period: Period) -> Query:
    """Restrict a query over calls to those that started in the period."""
    return query.where(Call.started_at >= period.since, Call.started_at < period.until)


def hourly_counts(session: Session, period: Period) -> list[HourCounts]:
    """Return the counts for each UTC hour with calls, oldest first."""
    hour = d.utc_hour(session.get_bind().dialect.name).label("hour")
    query = select(
        hour,
        func.count(),
        func.sum(d.flag(d.is_in_hours())),
        func.sum(d.flag(d.is_answered())),
        func.sum(d.missed_flag()),
        func.sum(d.abandoned_flag()),
        func.sum(d.flag(d.has_voicemail())),
    ).select_from(Call)
    rows = session.execute(in_period(query, period).group_by(hour).order_by(hour))
    return [HourCounts(as_utc(row[0]), *(int(n or 0) for n in row[1:])) for row in rows]


def as_utc(value: str | datetime) -> datetime:
    """Return a UTC hour from either database as an aware datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def unique_callers(session: Session, period: Period) -> int:
    """Return the distinct cases that called: one per known number, one per withheld call."""
    query = select(func.count(distinct(Call.case_id))).select_from(Call)
    return int(session.scalar(in_period(query, period)) or 0)


def case_counts(session: Session, period: Period) -> tuple[int, int]:
    """Return (new, returning) cases among those with a call in the period."""
    with_calls = in_period(select(Call.case_id).select_from(Call), period)
    query = select(
        func.sum(d.flag(Case.opened_at >= period.since)),
        func.sum(d.flag(Case.opened_at < period.since)),
    ).where(Case.id.in_(with_calls))
    new, returning = session.execute(query).one()
    return int(new or 0), int(returning or 0)


def out_of_hours_reasons(session: Session, period: Period) -> dict[str, int]:
    """Return how many out-of-hours calls had each routing reason, most common first."""
    reason = func.coalesce(Call.route_reason, "unknown").label("reason")
    query = select(reason, func.count()).select_from(Call).where(d.flag(d.is_in_hours()) == 0)
    rows = session.execute(in_period(query, period).group_by(reason)).all()
    return {str(reason): int(count) for reason, count in rows}


def histogram(
    session: Session,
    period: Period,
    seconds: ColumnElement[Any] | InstrumentedAttribute[Any],
    condition: ColumnElement[bool] | None = None,
) -> Counter[int]:
    """Return how many calls had each whole number of seconds of a duration."""
    value = seconds.label("seconds")
    query = select(value, func.count()).select_from(Call).where(value.is_not(None))
    if condition is not None:
        query = query.where(condition)
    rows = session.execute(in_period(query, period).group_by(value)).all()
    return Counter({int(s): int(n) for s, n in rows})


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
