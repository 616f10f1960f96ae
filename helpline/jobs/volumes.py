"""Volume figures for a period: the numbers retention must never change. Read-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from helpline.models import Call, CallbackRequest

FIGURES = ("total_calls", "in_hours", "out_of_hours", "answered", "missed", "unique_callers")


def volumes(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Count the calls started in [since, until), split the ways supervisors report them."""
    answered = Call.dial_status == "completed"
    query = select(
        func.count(Call.id),
        func.count(case((Call.route_open.is_(True), 1))),
        func.count(case((Call.route_open.is_(False), 1))),
        func.count(case((answered, 1))),
        func.count(case((~answered | Call.dial_status.is_(None), 1))),
        # The case stands for the caller and survives anonymisation; the number does not.
        func.count(Call.case_id.distinct()),
    ).where(Call.started_at >= since, Call.started_at < until)
    return dict(zip(FIGURES, session.execute(query).one(), strict=True))


def callback_figures(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    """Count callbacks requested in the period, made, and still owed past their deadline."""
    in_period = (CallbackRequest.requested_at >= since) & (CallbackRequest.requested_at < until)
    overdue = (CallbackRequest.status == "pending") & CallbackRequest.overdue_at.is_not(None)
    query = select(
        func.count(CallbackRequest.id),
        func.count(case((CallbackRequest.completed_at.is_not(None), 1))),
        func.count(case((overdue, 1))),
    ).where(in_period)
    names = ("callbacks_requested", "callbacks_done", "callbacks_overdue")
    return dict(zip(names, session.execute(query).one(), strict=True))
