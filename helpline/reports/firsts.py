"""Unique callers and new/returning cases, additive over days, for the rollups.

Distinct counts do not add up across days, but "first contact within the period" does: a caller
(or case) counts once, on the first day of the period it called, which is a day whose previous
call came before the period began (or never). So each day stores how many of its callers and
cases last called on each earlier day; any period's figures are sums over its days:

- caller values (by case): "first" (no earlier call) or "p:<day of the last call>";
- case values: "o:<day the case opened>" (no earlier call), "p:<day of the last call>" (the case
  opened no later), or "x:<day of the last call>:<day the case opened>" (opened after it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from helpline.models import Call, Case
from helpline.reports.live import as_utc, in_period
from helpline.reports.periods import Period


def caller_firsts(session: Session, day: Period) -> Counter[str]:
    """Return the day's callers (their cases) by the day of their previous call."""
    previous = _previous_days(session, day, Call.case_id)
    counted = Counter(
        f"p:{previous[key]}" if key in previous else "first"
        for key in _keys(session, day, Call.case_id)
    )
    return +counted


def case_firsts(session: Session, day: Period) -> Counter[str]:
    """Return the day's cases by the day of their previous call and the day they opened."""
    keys = _keys(session, day, Call.case_id)
    previous = _previous_days(session, day, Call.case_id)
    opened = select(Case.id, Case.opened_at).where(Case.id.in_(keys))
    opened_days = {key: local_day(at, day) for key, at in session.execute(opened)}
    return Counter(
        _case_value(previous.get(key), opened_days[key]) for key in keys if key in opened_days
    )


def _case_value(previous: date | None, opened: date) -> str:
    """Return a case's value: "o:opened", "p:previous", or "x:previous:opened" when out of order."""
    if previous is None:
        return f"o:{opened}"
    # A case opened after its previous call (calls moved into it) needs both days kept.
    return f"p:{previous}" if opened <= previous else f"x:{previous}:{opened}"


def _keys(session: Session, day: Period, key: InstrumentedAttribute[Any]) -> list[Any]:
    """Return the distinct non-null keys (numbers or case ids) of the day's calls."""
    return list(session.scalars(in_period(select(key).where(key.is_not(None)).distinct(), day)))


def _previous_days(
    session: Session, day: Period, key: InstrumentedAttribute[Any]
) -> dict[Any, date]:
    """Return, for each key calling that day, the local day of its latest call before it."""
    today = in_period(select(key).where(key.is_not(None)), day)
    query = (
        select(key, func.max(Call.started_at))
        .where(key.in_(today), Call.started_at < day.since)
        .group_by(key)
    )
    return {found: local_day(at, day) for found, at in session.execute(query)}


def local_day(at: str | datetime, day: Period) -> date:
    """Return the local day of an instant from either database."""
    return as_utc(at).astimezone(day.zone).date()


def distinct_figures(
    callers: Mapping[str, int], cases: Mapping[str, int], first: date
) -> tuple[int, int, int]:
    """Return (unique callers, new cases, returning cases) for a period starting on `first`."""
    start = first.isoformat()
    unique = sum(n for value, n in callers.items() if value == "first" or value[2:] < start)
    new = returning = 0
    for value, n in cases.items():
        kind, _, days = value.partition(":")
        previous, _, opened = days.partition(":") if kind == "x" else (days, "", days)
        if kind == "o" or previous < start:  # the case's first call in the period is this day's
            new, returning = (new + n, returning) if opened >= start else (new, returning + n)
    return unique, new, returning
