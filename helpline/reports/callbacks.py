"""Callback figures for a period: requested, made, made within one working day, owed, overdue.

- requested: callback requests made in the period (from the menu, a voicemail or a handler).
- made: requests with an attempt recorded (`completed_at` set, whatever the outcome).
- on time: made no later than one working day (opening hours only) after the request
  (`routing.working_deadline`).
- owed: requests from the period not yet made; overdue: owed and past that working day now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.config import Calendar
from helpline.models import CallbackRequest
from helpline.reports.periods import Period
from helpline.routing import working_day, working_deadline

SURELY_LATE = timedelta(days=14)


@dataclass(frozen=True)
class CallbackFigures:
    """What became of the callbacks asked for in one period."""

    requested: int = 0
    made: int = 0
    on_time: int = 0
    owed: int = 0
    overdue: int = 0

    def figures(self) -> dict[str, Any]:
        """Return the figures as a flat JSON-ready dict."""
        return {
            "callbacks_requested": self.requested,
            "callbacks_made": self.made,
            "callbacks_on_time": self.on_time,
            "callbacks_owed": self.owed,
            "callbacks_overdue": self.overdue,
        }


def callback_figures(
    session: Session, period: Period, calendar: Calendar, now: datetime
) -> CallbackFigures:
    """Return the figures for the callbacks requested in the period, as they stand now."""
    query = select(CallbackRequest.requested_at, CallbackRequest.completed_at).where(
        CallbackRequest.requested_at >= period.since, CallbackRequest.requested_at < period.until
    )
    counts = dict.fromkeys(("requested", "made", "on_time", "owed", "overdue"), 0)
    soonest = working_day(calendar)  # the least real time one working day can take
    for requested_at, completed_at in session.execute(query):
        counts["requested"] += 1
        late = _late(requested_at, completed_at or now, calendar, soonest)
        if completed_at is not None:
            counts["made"] += 1
            counts["on_time"] += not late
        else:
            counts["owed"] += 1
            counts["overdue"] += late
    return CallbackFigures(**counts)


def _late(asked: datetime, checked: datetime, calendar: Calendar, soonest: timedelta) -> bool:
    """Return True if `checked` is more than one working day after the request."""
    # Only in between is the deadline worked out (the slow part): sooner than one working day
    # can pass it cannot be late, and no run of weekends and bank holidays lasts a fortnight.
    elapsed = checked - asked
    if elapsed <= soonest or elapsed > SURELY_LATE:
        return elapsed > SURELY_LATE
    return checked > working_deadline(asked, calendar)
