"""Supervisor pages: add, end and remove closures, and the 14-day routing calendar."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpline import current
from helpline.audit import record_audit
from helpline.auth import current_actor, role_required
from helpline.closures import store
from helpline.closures.calendar import routing_calendar
from helpline.closures.forms import CloseNowForm, ConfirmForm, DayOffForm, LineForm, OpenDayForm
from helpline.config import Calendar
from helpline.db import get_database
from helpline.models import Closure
from helpline.routing import ClosureKind

bp = Blueprint("closures", __name__, url_prefix="/closures")
CALENDAR_DAYS = 14
FORMS: dict[str, tuple[type[LineForm], ClosureKind, str]] = {
    "close-now": (CloseNowForm, "closed", "Closed the {line} until {end}."),
    "day-off": (DayOffForm, "closed", "Closed the {line} from {start} to {end}."),
    "open-day": (OpenDayForm, "open", "Opened the {line} from {start} to {end}."),
}


def calendar() -> Calendar:
    """Return the routing calendar from the settings."""
    return current.settings().calendar


def line_choices() -> list[tuple[str, str]]:
    """Return the lines a closure can close or open: those with opening hours, main first."""
    return [(line.key, line.name) for line in calendar().scheduled]


def line_name(key: str | None) -> str:
    """Return a closure's line by name (no key: the main line, as before lines had their own)."""
    return calendar().name_of(key)


@bp.get("/")
@role_required("supervisor")
def index(forms: dict[str, FlaskForm] | None = None, status: int = 200) -> tuple[str, int]:
    """Show the closures in force or to come, the forms to add one, and the calendar."""
    forms = forms or {}
    today = current.now().astimezone(calendar().timezone).date()
    with get_database().transaction() as session:
        query = select(Closure).where(Closure.ends_at > current.now()).order_by(Closure.starts_at)
        closures = session.scalars(query).all()
        # From midnight, so a closure that ended earlier today still shows in today's row.
        periods = store.current_and_future(session, local_midnight(today))
    days = routing_calendar(today, CALENDAR_DAYS, calendar(), periods)
    shown = {
        action: (forms.get(action) or form_class(formdata=None)).for_lines(line_choices())
        for action, (form_class, _, _) in FORMS.items()
    }
    page = render_template(
        "closures/index.html",
        closures=closures,
        days=days,
        zone=calendar().timezone,
        now=current.now(),
        close_now=shown["close-now"],
        day_off=shown["day-off"],
        open_day=shown["open-day"],
        confirm=ConfirmForm(formdata=None),
        line_name=line_name,
        always_open=calendar().always_open.name,
    )
    return page, status


@bp.post("/<any('close-now', 'day-off', 'open-day'):action>")
@role_required("supervisor")
def add(action: str) -> Response | tuple[str, int]:
    """Add a closure (or an opening) from one of the three forms."""
    form_class, kind, message = FORMS[action]
    form = form_class().for_lines(line_choices())
    if form.validate_on_submit():
        try:
            starts_at, ends_at = form.period(current.now(), calendar().timezone)
            with get_database().transaction() as session:
                closure = store.add(
                    session, starts_at, ends_at, form.reason.data, set_by(), kind, form.line.data
                )
                audit = f"closure {closure.id}"
                record_audit(session, set_by(), f"closure_{action}", audit, describe(closure))
        except ValueError as error:
            form.form_errors.append(str(error))
        else:
            refresh_routing()
            line = line_name(form.line.data)
            flash(message.format(line=line, start=when(starts_at), end=when(ends_at)))
            return redirect(url_for("closures.index"))
    return index({action: form}, 400)


@bp.post("/<int:closure_id>/end")
@role_required("supervisor")
def end(closure_id: int) -> Response:
    """End a closure that is in force, from now."""
    if ConfirmForm().validate_on_submit():
        with get_database().transaction() as session:
            closure = session.get(Closure, closure_id)
            if closure is None or not closure.starts_at <= current.now() < closure.ends_at:
                flash("That closure is not in force now, so it cannot be ended.")
                return redirect(url_for("closures.index"))
            closure.ends_at = current.now()
            record_audit(
                session, set_by(), "closure_end", f"closure {closure_id}", describe(closure)
            )
        refresh_routing()
        flash("Ended the closure: normal hours apply again.")
    return redirect(url_for("closures.index"))


@bp.post("/<int:closure_id>/remove")
@role_required("supervisor")
def remove(closure_id: int) -> Response:
    """Remove a closure altogether (one set by mistake, or not yet started)."""
    if ConfirmForm().validate_on_submit():
        with get_database().transaction() as session:
            closure = session.get(Closure, closure_id)
            if closure is None:
                flash("That closure has already been removed.")
                return redirect(url_for("closures.index"))
            record_audit(
                session, set_by(), "closure_remove", f"closure {closure_id}", describe(closure)
            )
            session.delete(closure)
        refresh_routing()
        flash("Removed the closure.")
    return redirect(url_for("closures.index"))


def set_by() -> str:
    """Return who is making the change, as kept on the closure and in the audit log."""
    actor = current_actor()
    return f"{actor.name} <{actor.email}>" if actor else "unknown"


def refresh_routing() -> None:
    """Make routing see the change now, not when its cache next expires."""
    if not current.closures().refresh():
        flash("Saved, but calls may take a minute to follow it: the routing cache is stale.")


def local_midnight(day: date) -> datetime:
    """Return the start of a local day."""
    return datetime.combine(day, time(0), tzinfo=calendar().timezone)


def when(instant: datetime) -> str:
    """Return an instant in UK time as people read it."""
    return f"{instant.astimezone(calendar().timezone):%a %d %b %Y %H:%M}"


def describe(closure: Closure) -> str:
    """Return one line about a closure for the audit log."""
    kind = "open" if closure.kind == "open" else "closed"
    span = f"{when(closure.starts_at)} to {when(closure.ends_at)}"
    return f"{line_name(closure.line)} {kind} {span}: {closure.reason}"
