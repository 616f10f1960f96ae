"""The commissioner's report: victims supported, contacts and callbacks for a period.

- victims supported: cases with at least one answered call (see definitions.py) in the period.
- contacts: calls that started in the period; in/out-of-hours and answer rate as on the dashboard.
- callbacks: callback requests made in the period; "made" once an attempt is recorded
  (`completed_at` set, whatever the outcome); "within one working day" when that attempt came
  no later than `routing.working_deadline` (one working day, in opening hours) after the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from helpline.config import Calendar
from helpline.models import Call, CallbackRequest
from helpline.reports import definitions as d
from helpline.reports.periods import Period
from helpline.reports.volumes import in_period
from helpline.routing import working_deadline


@dataclass(frozen=True)
class CommissionerReport:
    """The figures a commissioner asks for, for one period."""

    period: Period
    victims_supported: int
    contacts: int
    in_hours: int
    answered: int
    callbacks_requested: int
    callbacks_made: int
    callbacks_on_time: int

    @property
    def out_of_hours(self) -> int:
        """Return the contacts that were not in hours."""
        return self.contacts - self.in_hours

    def rows(self) -> list[tuple[str, Any]]:
        """Return (label, value) pairs, in the order the report shows them."""
        return [
            ("Period", self.period.label()),
            ("Victims supported", self.victims_supported),
            ("Contacts", self.contacts),
            ("In hours", self.in_hours),
            ("Out of hours", self.out_of_hours),
            ("Answered", self.answered),
            ("Answer rate", percent(self.answered, self.contacts)),
            ("Callbacks requested", self.callbacks_requested),
            ("Callbacks made", self.callbacks_made),
            ("Callbacks made within one working day", self.callbacks_on_time),
            ("Callbacks on time", percent(self.callbacks_on_time, self.callbacks_requested)),
        ]


def percent(part: int, whole: int) -> str:
    """Return part of whole as a percentage with one decimal, or "n/a"."""
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def commissioner_report(session: Session, period: Period, calendar: Calendar) -> CommissionerReport:
    """Return the commissioner's figures for a period."""
    counts = select(
        func.count(distinct(Call.case_id)).filter(d.is_answered()),
        func.count(),
        func.sum(d.flag(d.is_in_hours())),
        func.sum(d.flag(d.is_answered())),
    ).select_from(Call)
    victims, contacts, in_hours, answered = session.execute(in_period(counts, period)).one()
    requested, made, on_time = callback_counts(session, period, calendar)
    return CommissionerReport(
        period, int(victims or 0), int(contacts or 0), int(in_hours or 0), int(answered or 0),
        requested, made, on_time,
    )  # fmt: skip


def callback_counts(session: Session, period: Period, calendar: Calendar) -> tuple[int, int, int]:
    """Return (requested, made, made within one working day) for callbacks asked in the period."""
    query = select(CallbackRequest.requested_at, CallbackRequest.completed_at).where(
        CallbackRequest.requested_at >= period.since, CallbackRequest.requested_at < period.until
    )
    requested = made = on_time = 0
    for requested_at, completed_at in session.execute(query):
        requested += 1
        if completed_at is not None:
            made += 1
            on_time += completed_at <= working_deadline(requested_at, calendar)
    return requested, made, on_time
