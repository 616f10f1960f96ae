"""The live and recent calls page, and its partial that htmx polls."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from helpline.auth import add_nav_link, role_required
from helpline.calls.listing import LINES, OUTCOMES, filters_from, recent_calls
from helpline.db import get_database

bp = Blueprint("calls", __name__)
POLL_SECONDS = 5


def init_app(app: Flask) -> None:
    """Register the blueprint, its navigation link and the time filters the pages share."""
    app.register_blueprint(bp)
    add_nav_link(app, "Calls", "calls.index", "handler")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(seconds, "seconds")


@bp.get("/")
@role_required("handler")
def home() -> Response:
    """Send staff to the calls page."""
    return redirect(url_for("calls.index"))


@bp.get("/calls/")
@role_required("handler")
def index() -> str | Response:
    """Show live and recent calls with filters; an exact case reference opens the case."""
    filters = filters_from(request.args)
    if filters.searched_reference and request.args.get("open") == "1":
        return redirect(url_for("cases.show", reference=filters.searched_reference))
    return render_template(
        "calls/index.html", rows=_rows(), filters=filters, lines=LINES, outcomes=OUTCOMES,
        poll_seconds=POLL_SECONDS,
    )  # fmt: skip


@bp.get("/calls/rows")
@role_required("handler")
def rows() -> str:
    """Return just the table of calls, for htmx to swap in every few seconds."""
    return render_template("calls/_rows.html", rows=_rows(), filters=filters_from(request.args))


def _rows() -> list[dict[str, object]]:
    """Return the calls matching the request's filters."""
    filters = filters_from(request.args)
    with get_database().transaction() as session:
        return recent_calls(session, filters, _zone())


def _zone() -> ZoneInfo:
    """Return the service's time zone."""
    zone: ZoneInfo = current_app.extensions["helpline.settings"].calendar.timezone
    return zone


def local_time(value: datetime | None, pattern: str = "%a %d %b %Y %H:%M") -> str:
    """Format an aware UTC instant in the service's local time."""
    return value.astimezone(_zone()).strftime(pattern) if value else ""


def seconds(value: int | None) -> str:
    """Format a number of seconds as m:ss, or a dash when unknown."""
    if value is None or value < 0:
        return "-"
    return f"{value // 60}:{value % 60:02d}"
