"""The callback queue page and its done/failed actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request
from flask import url_for as url
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from helpline.audit import record_audit
from helpline.auth import actor_name, add_nav_link, role_required
from helpline.callbacks.queue import (
    CallbackError,
    callback_queue,
    complete_missed_call,
    complete_request,
)
from helpline.config import Calendar
from helpline.db import get_database
from helpline.models import CallbackRequest, Case

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")


def init_app(app: Flask) -> None:
    """Register the queue and its navigation link."""
    app.register_blueprint(bp)
    add_nav_link(app, "Callbacks", "callbacks.index", "handler")


@bp.get("/")
@role_required("handler")
def index() -> str:
    """Show every callback owed, oldest first, with due times and consent."""
    now = _now()
    with get_database().transaction() as session:
        items = callback_queue(session, _calendar(), now)
    return render_template("callbacks/index.html", items=items, now=now)


@bp.post("/requests/<int:request_id>")
@role_required("handler")
def complete_requested(request_id: int) -> Response:
    """Mark a requested callback done or failed."""
    return _complete(lambda session, who, now: complete_request(
        session, request_id, _form("result"), _form("outcome"), who, now))  # fmt: skip


@bp.post("/missed/<int:call_id>")
@role_required("handler")
def complete_missed(call_id: int) -> Response:
    """Mark the callback for a missed call done or failed."""
    return _complete(lambda session, who, now: complete_missed_call(
        session, call_id, _form("result"), _form("outcome"), who, now, _calendar()))  # fmt: skip


Completion = Callable[[Session, str, datetime], CallbackRequest]


def _complete(completion: Completion) -> Response:
    """Apply a completion with its audit entry; refusals come back as a message."""
    who = actor_name()
    try:
        with get_database().transaction() as session:
            done = completion(session, who, _now())
            reference = session.get(Case, done.case_id)
            target = reference.reference if reference else str(done.case_id)
            record_audit(session, who, f"callback_{done.status}", target, done.outcome or "")
    except CallbackError as error:
        flash(str(error))
    else:
        flash(f"Callback for {target} marked {done.status}.")
    return redirect(url("callbacks.index"))


def _form(name: str) -> str:
    """Return a form field, or an empty string."""
    return request.form.get(name, "")


def _calendar() -> Calendar:
    """Return the routing calendar (opening hours for due times)."""
    calendar: Calendar = current_app.extensions["helpline.settings"].calendar
    return calendar


def _now() -> datetime:
    """Return the app's clock."""
    clock: Callable[[], datetime] = current_app.extensions["helpline.clock"]
    return clock()
