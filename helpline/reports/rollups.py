"""Rollups: each local day's tallies kept in small tables, so a year's report reads ~9,000 rows.

A day is read from the rollups once `refresh_rollups` has worked it out (a row in report_days);
other days are counted live from the calls table, so figures are right before any refresh.
Unique callers and new/returning cases are summed as "first contacts in the period" (firsts.py).
Re-run `refresh_rollups` over recent days (the `helpline reports rollup` command does the last
few by default) so late Twilio callbacks and voicemails reach the rolled-up figures too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from helpline.models import ReportDay, ReportHour, ReportValue, utcnow
from helpline.reports.figures import HourCounts, Tallies
from helpline.reports.firsts import caller_firsts, case_firsts, distinct_figures
from helpline.reports.live import case_counts, live_tallies, unique_callers
from helpline.reports.months import roll_months, value_sums
from helpline.reports.periods import Period
from helpline.reports.repeats import live_repeats, repeat_figures, repeat_firsts

# The order of Tallies.counters(); ring and talk values are whole seconds, the rest text.
MEASURES = ("reason", "ring", "talk", "outcome", "wait")
SECONDS = frozenset({"ring", "talk"})


def tallies(session: Session, period: Period) -> Tallies:
    """Return the period's tallies: rolled-up days from the rollups, the rest live."""
    rolled = rolled_days(session, period)
    # Rollup rows exist only for rolled-up days: refresh_rollups replaces a day's rows at once.
    result = rolled_tallies(session, period, rolled) if rolled else Tallies()
    for run in unrolled_runs(period, rolled):
        result.add(live_tallies(session, run))
    return result


def distinct_counts(session: Session, period: Period) -> tuple[int, int, int]:
    """Return (unique callers, new cases, returning cases): rolled-up days summed, others live."""
    rolled = rolled_days(session, period)
    if not rolled:
        return (unique_callers(session, period), *case_counts(session, period))
    callers: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    for (measure, value), count in value_sums(session, period, ("caller", "case"), rolled).items():
        (callers if measure == "caller" else cases)[value] += count
    for run in unrolled_runs(period, rolled):
        for day in run.days:
            callers.update(caller_firsts(session, Period(day, day, period.zone)))
            cases.update(case_firsts(session, Period(day, day, period.zone)))
    return distinct_figures(callers, cases, period.first)


def repeat_counts(session: Session, period: Period) -> tuple[int, int]:
    """Return (repeat callers, repeat calls): rolled-up days summed, the others live."""
    rolled = rolled_days(session, period)
    if not rolled:
        return live_repeats(session, period)
    values = Counter(
        {value: n for (_, value), n in value_sums(session, period, ("repeat",), rolled).items()}
    )
    for run in unrolled_runs(period, rolled):
        for day in run.days:
            values.update(repeat_firsts(session, Period(day, day, period.zone)))
    return repeat_figures(values, period.first)


def rolled_days(session: Session, period: Period) -> set[date]:
    """Return the days in the period that have rollups."""
    query = select(ReportDay.day).where(ReportDay.day.between(period.first, period.last))
    return set(session.scalars(query))


def unrolled_runs(period: Period, rolled: set[date]) -> Iterator[Period]:
    """Yield the stretches of consecutive days in the period without rollups."""
    run: list[date] = []
    for day in [*period.days, None]:
        if day is not None and day not in rolled:
            run.append(day)
        elif run:
            yield Period(run[0], run[-1], period.zone)
            run = []


def rolled_tallies(session: Session, period: Period, rolled: set[date]) -> Tallies:
    """Return the tallies of the period's rolled-up days, summed by the database."""
    within = ReportHour.day.between(period.first, period.last)
    hours = select(
        ReportHour.hour_start,
        ReportHour.calls,
        ReportHour.in_hours,
        ReportHour.answered,
        ReportHour.missed,
        ReportHour.abandoned,
        ReportHour.voicemail,
    ).where(within)
    result = Tallies(hours=[HourCounts(*row) for row in session.execute(hours)])
    counters = dict(zip(MEASURES, result.counters(), strict=True))
    for (measure, value), calls in value_sums(session, period, MEASURES, rolled).items():
        counters[measure][int(value) if measure in SECONDS else value] += calls
    return result


def refresh_rollups(session: Session, since: date, until: date, zone: ZoneInfo) -> int:
    """Work out the rollups again for the local days since..until (inclusive); return how many."""
    days = Period(since, until, zone).days
    for table in (ReportHour, ReportValue, ReportDay):
        session.execute(delete(table).where(table.day.between(since, until)))
    now = utcnow()
    for day in days:
        _roll_day(session, Period(day, day, zone), now)
    session.flush()
    roll_months(session, since, until)
    return len(days)


def _roll_day(session: Session, day: Period, now: datetime) -> None:
    """Store one day's live tallies as rollup rows."""
    counted = live_tallies(session, day)
    session.add_all(
        ReportHour(
            hour_start=h.starts_at,
            day=day.first,
            calls=h.total,
            in_hours=h.in_hours,
            answered=h.answered,
            missed=h.missed,
            abandoned=h.abandoned,
            voicemail=h.voicemail,
        )
        for h in counted.hours
    )
    for measure, counter in zip(MEASURES, counted.counters(), strict=True):
        session.add_all(
            ReportValue(day=day.first, measure=measure, value=str(value), calls=calls)
            for value, calls in counter.items()
        )
    for measure, firsts in (
        ("caller", caller_firsts(session, day)),
        ("case", case_firsts(session, day)),
        ("repeat", repeat_firsts(session, day)),
    ):
        session.add_all(
            ReportValue(day=day.first, measure=measure, value=value, calls=count)
            for value, count in firsts.items()
        )
    session.add(ReportDay(day=day.first, refreshed_at=now))


def recent_days(today: date, back: int = 3) -> tuple[date, date]:
    """Return the days a routine refresh covers: the last `back` whole days before today."""
    return today - timedelta(days=back), today - timedelta(days=1)
