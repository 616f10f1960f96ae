"""The live and recent calls page, and the board on it that htmx polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from helpline import current
from helpline.auth import role_required
from helpline.calls.listing import (
    OUTCOME_WORDS,
    CallFilters,
    CallRow,
    filters_from,
    live_calls,
    outcome_words,
    recent_calls,
)
from helpline.calls.whereabouts import (
    CallProgress,
    FlowChart,
    Whereabouts,
    chart_of,
    duration_words,
    span_words,
    whereabouts,
)
from helpline.db import get_database
from helpline.jobs.settings import job_settings

bp = Blueprint("calls", __name__)
POLL_SECONDS = 5


@dataclass(frozen=True)
class LiveRow:
    """A call still on the line and where it is now."""

    row: CallRow
    where: Whereabouts


@bp.get("/")
@role_required("handler")
def home() -> Response:
    """Send staff to the calls page."""
    return redirect(url_for("calls.index"))


@bp.get("/calls/")
@role_required("handler")
def index() -> str | Response:
    """Show live and recent calls with filters; an exact case reference opens the case."""
    filters = filters_from(request.args, _line_names())
    if filters.searched_reference and request.args.get("open") == "1":
        return redirect(url_for("cases.show", reference=filters.searched_reference))
    return render_template(
        "calls/index.html", **_board(filters), outcomes=OUTCOME_WORDS, poll_seconds=POLL_SECONDS
    )


@bp.get("/calls/rows")
@role_required("handler")
def rows() -> str:
    """Return just the board of calls, for htmx to morph in every few seconds."""
    filters = filters_from(request.args, _line_names())
    return render_template("calls/_rows.html", **_board(filters), polled=True)


def _board(filters: CallFilters) -> dict[str, Any]:
    """Return the live calls (fresh first), the recent ones, and how many are new."""
    with get_database().transaction() as session:
        live = live_calls(session, filters, _zone())
        recent = recent_calls(session, filters, _zone())
    newest = max((row.call.id for row in [*live, *recent]), default=0)
    seen = _whole(request.args.get("seen"))
    fresh = sum(1 for row in [*live, *recent] if seen is not None and row.call.id > seen)
    chart = _chart()
    return {
        "live": _pinned(live, chart),
        "recent": recent,
        "filters": filters,
        "chart": chart,
        "seen": max(newest, seen or 0),
        "new_calls": fresh,
        "now_words": local_time(current.now(), "%H:%M"),
    }


def _pinned(live: list[CallRow], chart: FlowChart) -> list[LiveRow]:
    """Return the live calls with where each is now; calls gone quiet for too long go last."""
    now = current.now()
    stale_after = timedelta(minutes=job_settings().stale_call_minutes)
    pinned = [
        LiveRow(row, found) for row in live if (found := _where(row, chart, now, stale_after))
    ]
    return sorted(pinned, key=lambda item: item.where.stale)  # stable: longest waiting first


def _where(
    row: CallRow, chart: FlowChart, now: datetime, stale_after: timedelta
) -> Whereabouts | None:
    """Return where a listed live call is now (None if it ended since it was listed)."""
    call = row.call
    progress = CallProgress(
        status=call.status,
        started_at=call.started_at,
        last_heard_at=row.last_heard_at,
        ivr_path=tuple(call.ivr_path or ()),
        dial_status=call.dial_status,
        ended_at=call.ended_at,
        waiting_on=call.waiting_on,
        leg_line=call.leg_line,
        leg_status=call.leg_status,
        screening=call.screening,
    )
    return whereabouts(progress, chart, now, stale_after)


def _whole(text: str | None) -> int | None:
    """Return a whole number from a query string, or None."""
    return int(text) if text and text.isdigit() else None


def _chart() -> FlowChart:
    """Return what each flow state is and what each configured line is called."""
    settings = current.settings()
    flows = current.flows()
    return chart_of(flows, _line_names(), settings.voice.ring_timeout)


def _line_names() -> dict[str, str]:
    """Return each configured line's name, by key."""
    settings = current.settings()
    return {key: line.name for key, line in settings.lines.items()}


def _zone() -> ZoneInfo:
    """Return the service's time zone."""
    zone: ZoneInfo = current.settings().calendar.timezone
    return zone


def local_time(value: datetime | None, pattern: str = "%a %d %b %Y %H:%M") -> str:
    """Format an aware UTC instant in the service's local time."""
    return value.astimezone(_zone()).strftime(pattern) if value else ""


def seconds(value: int | None) -> str:
    """Format a number of seconds as m:ss, or a dash when unknown."""
    if value is None or value < 0:
        return "-"
    return f"{value // 60}:{value % 60:02d}"


def outcome_label(label: str, answered_by_line: str | None = None) -> str:
    """Return an outcome label in words, naming the configured line that answered."""
    return outcome_words(label, _line_names().get(answered_by_line or ""))


def call_count(number: int | None) -> str:
    """Return a call's place among its case's calls: "First call", "2nd call", "16th call"."""
    if not number:
        return ""
    if number == 1:
        return "First call"
    teens = 10 <= number % 100 <= 20
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix} call"


# Every page's templates use these: Flask adds them to the app with the blueprint.
bp.add_app_template_filter(local_time, "local_time")
bp.add_app_template_filter(seconds, "seconds")
bp.add_app_template_filter(outcome_label, "outcome_words")
bp.add_app_template_filter(duration_words, "duration")
bp.add_app_template_filter(span_words, "span_words")
bp.add_app_template_filter(call_count, "call_count")
