"""Monthly sums of the daily rollup values, so a year's report sums a few thousand rows.

A month's sums (measure suffixed ":m", stored on the month's first day) are written only when
every day of the month is rolled up, and rewritten whenever any of its days is refreshed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, literal, not_, or_, select
from sqlalchemy.orm import Session

from helpline.models import ReportDay, ReportValue
from helpline.reports.periods import Period

MONTH = ":m"


def month_span(first: date) -> tuple[date, date]:
    """Return the first and last day of the month starting on `first`."""
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, next_month - timedelta(days=1)


def months_touched(since: date, until: date) -> list[date]:
    """Return the first day of every month from since to until."""
    months, month = [], since.replace(day=1)
    while month <= until:
        months.append(month)
        month = month_span(month)[1] + timedelta(days=1)
    return months


def roll_months(session: Session, since: date, until: date) -> None:
    """Rewrite the monthly sums of every month the days since..until fall in."""
    for first in months_touched(since, until):
        start, end = month_span(first)
        monthly = ReportValue.measure.like(f"%{MONTH}")
        session.execute(delete(ReportValue).where(ReportValue.day == first, monthly))
        days = select(func.count()).where(ReportDay.day.between(start, end))
        if session.scalar(days) != (end - start).days + 1:
            continue
        sums = (
            select(
                literal(first),
                ReportValue.measure + MONTH,
                ReportValue.value,
                func.sum(ReportValue.calls),
            )
            .where(ReportValue.day.between(start, end), not_(monthly))
            .group_by(ReportValue.measure, ReportValue.value)
        )
        columns = ["day", "measure", "value", "calls"]
        session.execute(insert(ReportValue).from_select(columns, sums))


def full_months(period: Period, rolled: set[date]) -> list[date]:
    """Return the months lying wholly inside the period with every day rolled up."""
    full = []
    for first in months_touched(period.first, period.last):
        start, end = month_span(first)
        days = Period(start, end, period.zone).days
        if start >= period.first and end <= period.last and rolled.issuperset(days):
            full.append(first)
    return full


def day_spans(period: Period, months: list[date]) -> list[tuple[date, date]]:
    """Return the runs of the period's days that lie outside the given whole months."""
    covered = {day for first in months for day in Period(*month_span(first), period.zone).days}
    spans: list[tuple[date, date]] = []
    for day in period.days:
        if day in covered:
            continue
        if spans and spans[-1][1] == day - timedelta(days=1):
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def value_sums(
    session: Session, period: Period, measures: Iterable[str], rolled: set[date]
) -> Counter[tuple[str, str]]:
    """Return the rolled-up (measure, value) sums over the period: whole months, then days."""
    measures = list(measures)
    months = full_months(period, rolled)
    sums: Counter[tuple[str, str]] = Counter()
    spans = day_spans(period, months)
    if spans:
        daily = select(ReportValue.measure, ReportValue.value, func.sum(ReportValue.calls)).where(
            or_(*(ReportValue.day.between(first, last) for first, last in spans)),
            ReportValue.measure.in_(measures),
        )
        grouped = daily.group_by(ReportValue.measure, ReportValue.value)
        for measure, value, calls in session.execute(grouped):
            sums[(measure, value)] += int(calls)
    if months:
        monthly = select(ReportValue.measure, ReportValue.value, func.sum(ReportValue.calls)).where(
            ReportValue.day.in_(months), ReportValue.measure.in_([m + MONTH for m in measures])
        )
        for measure, value, calls in session.execute(
            monthly.group_by(ReportValue.measure, ReportValue.value)
        ):
            sums[(measure.removesuffix(MONTH), value)] += int(calls)
    return sums
