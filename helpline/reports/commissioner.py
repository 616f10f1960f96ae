"""The commissioner's report: victims supported, contacts, outcomes, casework and safety.

Each figure is given for the period, the period of the same length before it, and the
financial year (from 1 April) to the period's end. Definitions (shown on the report too):

- victims supported: cases with an answered call (definitions.is_answered) or a callback made
  in the period; new when the case was opened in the period, returning when before it.
  "Since the first call" counts them from the service's first record to the period's end.
- contacts: calls that started in the period, by the line they were routed to; voicemails
  left and callbacks asked for in the period.
- outcomes: the dashboard's one outcome per call (definitions.OUTCOMES).
- ASB categories, referrals, Community Trigger and mediation: what handlers recorded on the
  cases of the victims supported (as recorded now: a case has one current set of each).
- safety: callbacks asked for in the period, made within one working day, owed and overdue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import Session

from helpline.config import Calendar, Line
from helpline.models import (
    CATEGORIES,
    REFERRALS,
    Call,
    CallbackRequest,
    Case,
    CaseDetail,
    Voicemail,
)
from helpline.reports import definitions as d
from helpline.reports.callbacks import callback_figures
from helpline.reports.measures import outcome_totals, ratio
from helpline.reports.periods import Period
from helpline.reports.volumes import volumes

BEGINNING = "since the first call"
COLUMNS = ("period", "previous_period", "year_to_date")


@dataclass(frozen=True)
class Row:
    """One line of the report: its section, a stable key and the words shown."""

    section: str
    key: str
    label: str


@dataclass(frozen=True)
class CommissionerReport:
    """The figures for a period, the period before it and the year to date."""

    periods: Mapping[str, Period]
    rows: tuple[Row, ...]
    values: Mapping[str, Mapping[str, Any]]

    def value(self, column: str, key: str) -> Any:
        """Return one figure: a count, or a rate from 0 to 1 (None when there is nothing)."""
        return self.values[column].get(key)

    def shown(self, column: str, key: str) -> str:
        """Return one figure as the page and CSV show it: rates as percentages."""
        value = self.value(column, key)
        return _percent(value) if key.endswith("_rate") else str(value)

    def as_json(self) -> dict[str, Any]:
        """Return the report as JSON: the periods, the rows and each column's figures."""
        return {
            "periods": {
                column: {
                    "since": each.first.isoformat(),
                    "until": each.last.isoformat(),
                    "label": each.label(),
                }
                for column, each in self.periods.items()
            },
            "rows": [{"section": r.section, "key": r.key, "label": r.label} for r in self.rows],
            "figures": {column: dict(values) for column, values in self.values.items()},
        }

    def sections(self) -> dict[str, list[Row]]:
        """Return the rows grouped by section, in order."""
        grouped: dict[str, list[Row]] = {}
        for row in self.rows:
            grouped.setdefault(row.section, []).append(row)
        return grouped

    def table(self) -> list[tuple[Any, ...]]:
        """Return the CSV rows: a header, then section, figure and the three columns."""
        header = ("section", "figure", *(f"{c} ({self.periods[c].label()})" for c in COLUMNS))
        body = [
            (row.section, row.label, *(self.shown(c, row.key) for c in COLUMNS))
            for row in self.rows
        ]
        return [header, *body]


def report_rows(lines: Mapping[str, Line]) -> tuple[Row, ...]:
    """Return the report's rows, lines taken from the configuration."""
    victims = "Victims supported"
    rows = [
        Row(victims, "victims_supported", "Victims supported"),
        Row(victims, "victims_new", "New (case opened in the period)"),
        Row(victims, "victims_returning", "Returning (case opened before)"),
        Row(victims, "victims_since_start", f"Victims supported {BEGINNING}"),
        Row("Contacts", "calls", "Calls"),
        *(
            Row("Contacts", f"calls_line_{key}", f"Calls to the {line.name}")
            for key, line in lines.items()
        ),
        Row("Contacts", "voicemails", "Voicemails left"),
        Row("Contacts", "callbacks_requested", "Callbacks asked for"),
        Row("Contacts", "answer_rate", "Calls answered (any line)"),
        Row("Contacts", "in_hours_answer_rate", "In-hours answer rate"),
        *(
            Row("Call outcomes", f"outcome_{key}", label)
            for key, label in d.outcome_labels(lines).items()
        ),
        *(Row("ASB categories", f"category_{name}", name.capitalize()) for name in CATEGORIES),
        *(Row("Referrals", f"referral_{name}", name.capitalize()) for name in REFERRALS),
        Row("Casework", "community_trigger", "Community Trigger cases supported"),
        Row("Casework", "mediation", "Cases referred to mediation"),
        Row("Safety", "callbacks_on_time", "Callbacks made within one working day"),
        Row("Safety", "callbacks_on_time_rate", "Share made within one working day"),
        Row("Safety", "callbacks_made", "Callbacks made"),
        Row("Safety", "callbacks_owed", "Callbacks still owed"),
        Row("Safety", "callbacks_overdue", "Owed and overdue"),
    ]
    return tuple(rows)


def commissioner_report(
    session: Session,
    period: Period,
    calendar: Calendar,
    lines: Mapping[str, Line],
    now: datetime,
) -> CommissionerReport:
    """Return the report for a period, beside the previous period and the year to date."""
    periods = dict(zip(COLUMNS, (period, period.before(), period.year_to_date()), strict=True))
    values = {
        column: period_values(session, each, calendar, lines, now)
        for column, each in periods.items()
    }
    return CommissionerReport(periods, report_rows(lines), values)


def period_values(
    session: Session,
    period: Period,
    calendar: Calendar,
    lines: Mapping[str, Line],
    now: datetime,
) -> dict[str, Any]:
    """Return every figure of the report for one period."""
    figures = volumes(session, period, tuple(lines))
    outcomes = outcome_totals(figures.outcomes, figures.lines)
    routed: Counter[str] = Counter()
    for key, calls in figures.outcomes.items():
        routed[key.split("|")[0]] += calls
    calls_back = callback_figures(session, period, calendar, now)
    return {
        **victim_values(session, period),
        "calls": figures.total_calls,
        **{f"calls_line_{key}": routed.get(key, 0) for key in lines},
        "voicemails": voicemails_left(session, period),
        "callbacks_requested": calls_back.requested,
        "answer_rate": ratio(figures.answered, figures.total_calls),
        "in_hours_answer_rate": figures.measures["in_hours_answer_rate"],
        **{f"outcome_{key}": n for key, n in outcomes.items()},
        "callbacks_on_time": calls_back.on_time,
        "callbacks_on_time_rate": ratio(calls_back.on_time, calls_back.requested),
        "callbacks_made": calls_back.made,
        "callbacks_owed": calls_back.owed,
        "callbacks_overdue": calls_back.overdue,
    }


def _percent(value: float | None) -> str:
    """Return a 0-1 ratio as a percentage with one decimal, or "n/a"."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def supported_cases(since: datetime | None, until: datetime) -> Select[Any]:
    """Return the ids of cases with an answered call or a callback made in [since, until)."""
    answered = select(Call.case_id.label("case_id")).where(d.is_answered(), Call.started_at < until)
    called_back = select(CallbackRequest.case_id.label("case_id")).where(
        CallbackRequest.completed_at < until
    )
    if since is not None:  # None: from the service's first record
        answered = answered.where(Call.started_at >= since)
        called_back = called_back.where(CallbackRequest.completed_at >= since)
    combined = union(answered, called_back).subquery()
    return select(combined.c.case_id).where(combined.c.case_id.is_not(None))


def victim_values(session: Session, period: Period) -> dict[str, int]:
    """Return the victims supported, new and returning, and what their cases record."""
    query = (
        select(
            Case.opened_at,
            CaseDetail.categories,
            CaseDetail.referrals,
            CaseDetail.community_trigger,
        )
        .outerjoin(CaseDetail, CaseDetail.case_id == Case.id)
        .where(Case.id.in_(supported_cases(period.since, period.until)))
    )
    counts: Counter[str] = Counter()
    for opened_at, categories, referrals, trigger in session.execute(query):
        counts["victims_supported"] += 1
        counts["victims_new" if opened_at >= period.since else "victims_returning"] += 1
        counts.update(f"category_{name}" for name in categories or ())
        counts.update(f"referral_{name}" for name in referrals or ())
        counts["community_trigger"] += bool(trigger)
        counts["mediation"] += "mediation" in (referrals or ())
    since_start = select(func.count()).select_from(supported_cases(None, period.until).subquery())
    keys = (
        "victims_supported",
        "victims_new",
        "victims_returning",
        "community_trigger",
        "mediation",
        *(f"category_{n}" for n in CATEGORIES),
        *(f"referral_{n}" for n in REFERRALS),
    )
    return {key: counts[key] for key in keys} | {
        "victims_since_start": int(session.scalar(since_start) or 0)
    }


def voicemails_left(session: Session, period: Period) -> int:
    """Return the voicemails left in the period."""
    query = select(func.count()).where(
        Voicemail.created_at >= period.since, Voicemail.created_at < period.until
    )
    return int(session.scalar(query) or 0)


# How the report's figures are counted, printed at its foot.
DEFINITIONS = {
    "Victims supported": "Cases with a call answered on any line, or a "
    "callback made, in the period. New: the case was opened in the period; returning: before "
    f"it. {BEGINNING.capitalize()}: the same count from the first record to the period's end.",
    "Contacts": "Calls that started in the period, by the line they were routed to; "
    "voicemails left and callbacks asked for in the period.",
    "Call outcomes": d.DEFINITIONS["Outcome"],
    "ASB categories, referrals, Community Trigger and mediation": "What handlers recorded on "
    "the cases of the victims supported in the period, as recorded today. A case can have "
    "several categories and referrals.",
    "Safety": d.DEFINITIONS["Callbacks"],
    "Previous period and year to date": "The same number of days just before the period, and "
    "the financial year from 1 April up to the period's end.",
}
