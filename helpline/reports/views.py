"""Supervisor pages: the dashboard, the commissioner's report and their CSV exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    flash,
    render_template,
    request,
    stream_with_context,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline import current
from helpline.audit import record_audit
from helpline.auth import actor_name, role_required
from helpline.calls import export
from helpline.config import Calendar
from helpline.db import get_database
from helpline.models import Call
from helpline.reports import charts
from helpline.reports.callbacks import CallbackFigures, callback_figures
from helpline.reports.commissioner import (
    DEFINITIONS as COMMISSIONER_DEFINITIONS,
)
from helpline.reports.commissioner import CommissionerReport, commissioner_report
from helpline.reports.definitions import DEFINITIONS, outcome_labels
from helpline.reports.figures import Volumes
from helpline.reports.measures import NONE, by_line
from helpline.reports.periods import Period, last_days, local_today, parse_period, quarter_of
from helpline.reports.volumes import volumes

bp = Blueprint("reports", __name__, url_prefix="/reports")
DASHBOARD_DAYS = 7


def default_period() -> Period:
    """Return the last week, today included, in UK local days."""
    zone = current.settings().calendar.timezone
    return last_days(local_today(current.now(), zone), DASHBOARD_DAYS, zone)


def default_quarter() -> Period:
    """Return this calendar quarter."""
    zone = current.settings().calendar.timezone
    return quarter_of(local_today(current.now(), zone), zone)


def requested_period(default: Period) -> Period:
    """Return the period in ?since=&until=, or the default with a message if it is wrong."""
    try:
        return parse_period(request.args.get("since"), request.args.get("until"), default)
    except ValueError as error:
        flash(f"That period could not be used ({error}); showing {default.label()} instead.")
        return default


@bp.get("/")
@role_required("supervisor")
def dashboard() -> str:
    """Show where calls ended, the measures, the heatmap and the trend for a period."""
    period = requested_period(default_period())
    with get_database().transaction() as session:
        figures, calls_back = period_figures(session, period)
    grid = charts.heatmap(figures.hours, period)
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        period=period,
        charts=charts,
        heatmap=grid,
        trend=charts.trend(figures.hours, period),
        step=charts.step_of(period),
        busiest=charts.busiest(grid),
        lines=by_line(figures),
        line_names=line_names(),
        callbacks=calls_back,
        definitions=DEFINITIONS,
        outcomes=outcomes_shown(figures),
        today=today(),
    )


def period_figures(session: Session, period: Period) -> tuple[Volumes, CallbackFigures]:
    """Return the period's call figures and callback figures."""
    settings = current.settings()
    figures = volumes(session, period, settings.calendar.keys, settings.service_level_seconds)
    return figures, callback_figures(session, period, _calendar(), current.now())


def outcomes_shown(figures: Volumes) -> dict[str, str]:
    """Return each outcome's words: the configured lines', and any line no longer set up."""
    shown = outcome_labels(current.settings().lines)
    for key in figures.figures():
        outcome = key.removeprefix("outcome_")
        if key.startswith("outcome_") and outcome not in shown:
            shown[outcome] = (
                f"Answered by a line no longer set up ({outcome.removeprefix('answered_')})"
            )
    return shown


def line_names() -> dict[str, str]:
    """Return each line's name by key, and what a call with no line is called."""
    lines = current.settings().lines
    return {key: line.name for key, line in lines.items()} | {NONE: "No line (not routed)"}


def today() -> date:
    """Return today's UK date."""
    return local_today(current.now(), current.settings().calendar.timezone)


@bp.get("/figures.csv")
@role_required("supervisor")
def figures_csv() -> Response:
    """Download the dashboard's figures for a period."""
    period = requested_period(default_period())
    with get_database().transaction() as session:
        figures, calls_back = period_figures(session, period)
        record_audit(session, actor_name(), "export", "figures", period.label())
    rows = figure_rows(figures, calls_back)
    return csv_download(rows, f"figures-{period.first}-{period.last}.csv")


def figure_rows(figures: Volumes, calls_back: CallbackFigures) -> Iterator[tuple[str, Any]]:
    """Yield (figure, value) rows: headline figures, callbacks, reasons, lines, busiest hours."""
    yield ("figure", "value")
    yield from figures.figures().items()
    yield from calls_back.figures().items()
    for reason, count in figures.out_of_hours_reasons.items():
        yield (f"out of hours: {reason}", count)
    for line, measures in by_line(figures).items():
        for key, value in measures.items():
            yield (f"line {line}: {key}", value)
    grid = charts.heatmap(figures.hours, figures.period)
    for rank, (hour, calls) in enumerate(charts.busiest(grid), start=1):
        yield (f"busiest hour {rank}: {hour}", calls)


@bp.get("/calls.csv")
@role_required("supervisor")
def calls_csv() -> Response:
    """Download every call in a period, numbers in full (so the export is audited)."""
    period = requested_period(default_period())
    with get_database().transaction() as session:
        record_audit(session, actor_name(), "export", "calls", period.label())

    def chunks() -> Iterator[str]:
        with get_database().transaction() as session:
            yield from export.as_csv(export.rows(session, period.since, period.until))

    name = f"calls-{period.first}-{period.last}.csv"
    return Response(stream_with_context(chunks()), mimetype="text/csv", headers=_attachment(name))


@bp.get("/commissioner")
@role_required("supervisor")
def commissioner() -> str:
    """Show the commissioner's report, printable."""
    period = requested_period(default_quarter())
    with get_database().transaction() as session:
        report = build_commissioner_report(session, period)
        shortcuts = period_shortcuts(session, period.zone)
    return render_template(
        "reports/commissioner.html",
        report=report,
        period=period,
        today=today(),
        shortcuts=shortcuts,
        produced=current.now().astimezone(period.zone),
        definitions=COMMISSIONER_DEFINITIONS,
        service_name=current.settings().service_name,
    )


@bp.get("/commissioner.csv")
@role_required("supervisor")
def commissioner_csv() -> Response:
    """Download the commissioner's report."""
    period = requested_period(default_quarter())
    with get_database().transaction() as session:
        report = build_commissioner_report(session, period)
        record_audit(session, actor_name(), "export", "commissioner report", period.label())
    name = f"commissioner-{period.first}-{period.last}.csv"
    return csv_download(report.table(), name)


def period_shortcuts(session: Session, zone: ZoneInfo) -> list[tuple[str, Period]]:
    """Return the periods a commissioner asks about most, by name."""
    this_quarter = quarter_of(today(), zone)
    shortcuts = [
        ("This quarter", this_quarter),
        ("Last quarter", quarter_of(this_quarter.first - timedelta(days=1), zone)),
        ("This financial year", Period(today(), today(), zone).year_to_date()),
    ]
    first_call = session.scalar(select(func.min(Call.started_at)))
    if first_call is not None:
        start = first_call.astimezone(zone).date().replace(day=1)
        end = date(start.year + 1, start.month, 1) - timedelta(days=1)
        shortcuts.append(("The service's first year", Period(start, end, zone)))
    return shortcuts


def build_commissioner_report(session: Session, period: Period) -> CommissionerReport:
    """Return the commissioner's report for a period with the app's calendar and lines."""
    lines = current.settings().lines
    return commissioner_report(session, period, _calendar(), lines, current.now())


def _calendar() -> Calendar:
    """Return the routing calendar from the settings."""
    calendar: Calendar = current.settings().calendar
    return calendar


def csv_download(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """Return rows as a CSV attachment."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return Response(buffer.getvalue(), mimetype="text/csv", headers=_attachment(filename))


def _attachment(filename: str) -> dict[str, str]:
    """Return the headers that make a browser save the response as a file."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
