"""Figures for the weekly summary and the retention check: the dashboard's own. Read-only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from helpline.models import CallbackRequest
from helpline.reports.periods import Period
from helpline.reports.volumes import volumes as report_volumes

FIGURES = ("total_calls", "in_hours", "out_of_hours", "answered", "missed", "unique_callers")


def volumes(session: Session, since: datetime, until: datetime, zone: ZoneInfo) -> dict[str, int]:
    """Return the dashboard's headline figures for the days in [since, until), local to zone."""
    last_day = (until - timedelta(days=1)).astimezone(zone).date()
    period = Period(since.astimezone(zone).date(), last_day, zone)
    # The headline figures do not depend on the lines, so none are named.
    figures = report_volumes(session, period, ()).figures()
    return {name: int(figures[name]) for name in FIGURES}


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
