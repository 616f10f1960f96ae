"""Repeat callers and repeat calls, counted live or summed from each day's rollup values.

A repeat call is one whose case had called before (at any earlier time); a repeat caller is a
case that made a repeat call in the period. Each day keeps, per case that called, the value
"k:n:p": k its calls before that day (0, 1, or 2 meaning two or more), n its calls that day, and
p the local day of its latest earlier call (empty if none). Only the past and the day itself
go into a value, so later calls never make a rolled-up day stale. A case counts once in a
period, on the day of its first repeat call there (see `counts_as_repeat_caller`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from sqlalchemy import and_, distinct, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from helpline.models import Call
from helpline.reports.firsts import local_day
from helpline.reports.live import in_period
from helpline.reports.periods import Period


def live_repeats(session: Session, period: Period) -> tuple[int, int]:
    """Return (repeat callers, repeat calls) for the period straight from the calls table."""
    earlier = aliased(Call)
    called_before = exists(
        select(earlier.id).where(
            earlier.case_id == Call.case_id,
            or_(
                earlier.started_at < Call.started_at,
                and_(earlier.started_at == Call.started_at, earlier.id < Call.id),
            ),
        )
    )
    query = select(func.count(distinct(Call.case_id)), func.count()).where(
        Call.case_id.is_not(None), called_before
    )
    callers, calls = session.execute(in_period(query, period)).one()
    return int(callers or 0), int(calls or 0)


def repeat_firsts(session: Session, day: Period) -> Counter[str]:
    """Return the day's cases by "k:n:p" (see the module docstring)."""
    today = in_period(
        select(Call.case_id, func.count()).where(Call.case_id.is_not(None)), day
    ).group_by(Call.case_id)
    calls_today = {case_id: int(n) for case_id, n in session.execute(today)}
    before = (
        select(Call.case_id, func.count(), func.max(Call.started_at))
        .where(Call.case_id.in_(list(calls_today)), Call.started_at < day.since)
        .group_by(Call.case_id)
    )
    earlier = {key: (int(n), local_day(at, day)) for key, n, at in session.execute(before)}
    counted: Counter[str] = Counter()
    for case_id, n in calls_today.items():
        k, previous = earlier.get(case_id, (0, None))
        counted[f"{min(k, 2)}:{n}:{previous or ''}"] += 1
    return counted


def repeat_figures(values: Mapping[str, int], first: date) -> tuple[int, int]:
    """Return (repeat callers, repeat calls) for a period from its days' summed values."""
    callers = calls = 0
    for value, cases in values.items():
        k, n, previous = _parse(value)
        calls += cases * (n if k else n - 1)
        callers += cases * counts_as_repeat_caller(k, n, previous, first)
    return callers, calls


def counts_as_repeat_caller(k: int, n: int, previous: date | None, first: date) -> bool:
    """Return True if this day holds the case's first repeat call of a period from `first`."""
    if k == 0:
        return n >= 2  # its first calls ever: a repeat only if it called again that day
    if previous is not None and previous < first:
        return True  # it called before the period, and this is its first day within it
    # With exactly one earlier call, inside the period, this day's first call is the repeat.
    return k == 1


def _parse(value: str) -> tuple[int, int, date | None]:
    """Return (k, n, previous day) from a "k:n:p" value."""
    k, n, previous = value.split(":", 2)
    return int(k), int(n), date.fromisoformat(previous) if previous else None
