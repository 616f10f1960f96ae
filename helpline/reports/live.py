"""Count a period's calls straight from the calls table (rollups.py keeps the same per day)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from helpline.models import Call, Case
from helpline.reports import definitions as d
from helpline.reports.figures import HourCounts, Tallies
from helpline.reports.periods import Period


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
