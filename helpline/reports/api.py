"""`GET /api/v1/reports/volumes` and `/commissioner` (?since=&until=): the reports as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from helpline import current
from helpline.auth import role_required
from helpline.auth.access import json_error
from helpline.db import get_database
from helpline.reports import charts
from helpline.reports.measures import by_line
from helpline.reports.periods import PeriodError, parse_period
from helpline.reports.views import (
    build_commissioner_report,
    default_period,
    default_quarter,
    period_figures,
)

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")


@bp.get("/volumes")
@role_required("supervisor")
def volumes_json() -> Response:
    """Return the figures for whole UK local days since..until (inclusive; default last week)."""

    try:
        period = parse_period(
            request.args.get("since"), request.args.get("until"), default_period()
        )
    except PeriodError as error:
        return json_error(400, str(error))
    with get_database().transaction() as session:
        figures, calls_back = period_figures(session, period)
    grid = charts.heatmap(figures.hours, period)
    body: dict[str, Any] = (
        figures.figures()
        | calls_back.figures()
        | {
            "timezone": period.zone.key,
            "out_of_hours_reasons": dict(figures.out_of_hours_reasons),
            "ring_seconds_count": figures.ring.count,
            "talk_seconds_count": figures.talk.count,
            "lines": by_line(figures),
            "busiest_hours": [
                {"hour": hour, "calls": calls} for hour, calls in charts.busiest(grid)
            ],
        }
    )
    return jsonify(body)


@bp.get("/commissioner")
@role_required("supervisor")
def commissioner_json() -> Response:
    """Return the commissioner's report for whole UK local days (default this quarter)."""
    try:
        period = parse_period(
            request.args.get("since"), request.args.get("until"), default_quarter()
        )
    except PeriodError as error:
        return json_error(400, str(error))
    with get_database().transaction() as session:
        report = build_commissioner_report(session, period)
    service = current.settings().service_name
    return jsonify({"service": service, "timezone": period.zone.key} | report.as_json())
