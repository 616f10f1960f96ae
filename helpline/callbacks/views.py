"""The callback queue page, its navigation count, and recording callback attempts."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request
from flask import url_for as url
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from helpline import current
from helpline.audit import record_audit
from helpline.auth import NavBadge, actor_name, role_required
from helpline.callbacks.attempts import AttemptForm, record_attempt
from helpline.callbacks.queue import CallbackError, callback_queue, owed_counts
from helpline.cases.record import find_case, staff_names
from helpline.cases.views import case_page
from helpline.config import Calendar
from helpline.db import get_database

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")


def owed_badge() -> NavBadge | None:
    """Return "N owed, M overdue" for the navigation; nothing if the database cannot say."""
    try:
        with get_database().transaction() as session:
            owed, overdue = owed_counts(session, calendar(), current.now())
    except SQLAlchemyError:  # the page (an error page, say) must still render
        return None
    if not owed:
        return None
    return NavBadge(f"{owed} owed, {overdue} overdue" if overdue else f"{owed} owed", overdue > 0)


@bp.get("/")
@role_required("handler")
def index() -> str:
    """Show each case owed a callback, oldest first, with due times, consent and attempts."""
    return queue_page()


def queue_page(problem: Mapping[str, str] | None = None) -> str:
    """Render the queue; `problem` puts a refused attempt's message on its form."""
    with get_database().transaction() as session:
        rows = callback_queue(session, calendar(), current.now(), line_names())
        actors = {a.actor for row in rows for a in row.attempts}
        actors |= {row.safety.decision.set_by for row in rows if row.safety and row.safety.decision}
        names = staff_names(session, actors)
    return render_template(
        "callbacks/index.html", rows=rows, now=current.now(), names=names, problem=problem or {}
    )


@bp.post("/cases/<reference>/attempts")
@role_required("handler")
def record(reference: str) -> Response | tuple[str, int]:
    """Record an attempt at calling a case back; a refused form comes back showing why."""
    form = AttemptForm(request.form.get("result", ""), request.form.get("note", ""))
    back_to_case = request.form.get("back") == "case"
    who = actor_name()
    try:
        with get_database().transaction() as session:
            case = find_case(session, reference)
            if case is None:
                raise CallbackError(f"There is no case {reference.upper()}.")
            message = record_attempt(session, case, form, who, current.now(), calendar())
            # The note stays off the audit log: the log outlives retention, notes must not.
            record_audit(session, who, f"callback_{form.result}", case.reference)
    except CallbackError as error:
        return _refused(reference.upper(), form, str(error), back_to_case), 400
    flash(message)
    if back_to_case:
        return redirect(url("cases.show", reference=reference.upper()))
    return redirect(url("callbacks.index"))


def _refused(reference: str, form: AttemptForm, message: str, back_to_case: bool) -> str:
    """Render the page the form came from again, with the message beside the form."""
    problem = {"reference": reference, "message": message, "result": form.result, "note": form.note}
    if back_to_case:
        return case_page(reference, problem)
    return queue_page(problem)


def line_names() -> dict[str, str]:
    """Return each line's name by key, for words such as "answered by the support line"."""
    return {key: line.name for key, line in current.settings().lines.items()}


def calendar() -> Calendar:
    """Return the routing calendar (opening hours for due times)."""
    found: Calendar = current.settings().calendar
    return found
