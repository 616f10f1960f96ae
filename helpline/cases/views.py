"""The case page and the changes handlers make to a case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask import url_for as url
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from helpline import current
from helpline.audit import record_audit
from helpline.auth import actor_name, role_required
from helpline.cases import merging, record
from helpline.cases.history import safety_for
from helpline.cases.page import page_data
from helpline.db import get_database
from helpline.models import CATEGORIES, REFERRALS, Case, Voicemail
from helpline.twilio.recordings import fetch_audio, is_twilio_url

bp = Blueprint("cases", __name__, url_prefix="/cases")
FLAG_VALUES = {"yes": True, "no": False, "unknown": None}


@bp.get("/<reference>")
@role_required("handler")
def show(reference: str) -> str:
    """Show a case: the summary first, then one newest-first timeline, then the forms."""
    return case_page(reference)


def case_page(reference: str, problem: Mapping[str, str] | None = None) -> str:
    """Render the case page (audited); `problem` puts a refused callback form's message on it."""
    with get_database().transaction() as session:
        case = _case_or_404(session, reference)
        page = page_data(session, case, current.now())
        record_audit(session, actor_name(), "case_viewed", case.reference)
    return render_template("cases/show.html", problem=problem or {}, **page)


@bp.post("/<reference>/notes")
@role_required("handler")
def add_note(reference: str) -> Response:
    """Add a note."""
    body = request.form.get("body", "")
    return _record(reference, "note_added", record.add_note, body, "Note added.")


@bp.post("/<reference>/outcome")
@role_required("handler")
def set_outcome(reference: str) -> Response:
    """Record outcome categories, referrals, Community Trigger and the safety flags."""
    outcome = _outcome_from(request.form)

    def change(session: Session, case: Case, who: str, now: datetime) -> str:
        shown = safety_for(session, [case.id])[case.id]
        if record.set_outcome(session, case, who, outcome, shown, now):
            return "Outcome and safety flags saved."
        return "Nothing was changed."

    return _change(reference, "outcome_changed", change)


def _outcome_from(form: MultiDict[str, str]) -> record.Outcome:
    """Read the outcome form; anything unrecognised is left out or taken as "not known"."""
    return record.Outcome(
        categories=record.selected(form.getlist("categories"), CATEGORIES),
        referrals=record.selected(form.getlist("referrals"), REFERRALS),
        community_trigger=form.get("community_trigger") == "yes",
        safe_to_call_back=FLAG_VALUES.get(form.get("safe_to_call_back", "unknown")),
        safe_to_leave_message=FLAG_VALUES.get(form.get("safe_to_leave_message", "unknown")),
    )


@bp.post("/<reference>/assign")
@role_required("handler")
def assign(reference: str) -> Response:
    """Assign the case to a member of staff (or nobody)."""
    raw = request.form.get("user_id", "")
    user_id = int(raw) if raw.isdigit() else None
    return _record(reference, "case_assigned", record.assign, user_id, "Assignment saved.")


@bp.post("/<reference>/status")
@role_required("handler")
def set_status(reference: str) -> Response:
    """Open or close the case."""
    status = request.form.get("status", "")
    said = "The case is {case.status}."  # as it stands after the change
    return _record(reference, "case_status", record.set_status, status, said)


@bp.post("/<reference>/move-call")
@role_required("handler")
def move_call(reference: str) -> Response:
    """Move one of this case's calls to another case."""
    sid, target = request.form.get("call_sid", ""), request.form.get("target", "")

    def change(session: Session, case: Case, who: str, now: datetime) -> str:
        moved_to = merging.move_call(session, case, sid, target, who, now)
        return f"Call moved to {moved_to.reference}."

    return _change(reference, "call_moved", change)


@bp.post("/<reference>/merge")
@role_required("handler")
def merge(reference: str) -> Response:
    """Merge this case into another, keeping the history of both."""
    target = request.form.get("target", "")

    def change(session: Session, case: Case, who: str, now: datetime) -> str:
        kept = merging.merge_cases(session, case, target, who, now)
        return f"Merged into {kept.reference}."

    return _change(reference, "case_merged", change)


Change = Callable[[Session, Case, str, datetime], str]
Value = TypeVar("Value")


def _record(
    reference: str,
    action: str,
    write: Callable[[Session, Case, str, Value, datetime], object],
    value: Value,
    said: str,
) -> Response:
    """Apply one record.* write of a form value; `said` may name {case.status} and the like."""

    def change(session: Session, case: Case, who: str, now: datetime) -> str:
        write(session, case, who, value, now)
        return said.format(case=case)

    return _change(reference, action, change)


def _change(reference: str, action: str, change: Change) -> Response:
    """Apply one change in a transaction with its audit entry; refusals become a message."""
    who = actor_name()
    try:
        with get_database().transaction() as session:
            case = _case_or_404(session, reference)
            message = change(session, case, who, current.now())
            record_audit(session, who, action, case.reference, message)
    except record.CaseError as error:
        flash(str(error))
    else:
        flash(message)
    return redirect(url("cases.show", reference=reference.upper()))


@bp.get("/<reference>/voicemails/<int:voicemail_id>")
@role_required("handler")
def voicemail(reference: str, voicemail_id: int) -> Response:
    """Play a voicemail through us, fetched from Twilio with the account's credentials."""
    with get_database().transaction() as session:
        case = _case_or_404(session, reference)
        message = session.get(Voicemail, voicemail_id)
        if message is None or message.case_id != case.id or not message.recording_url:
            abort(404)
        record_audit(
            session, actor_name(), "voicemail_played", case.reference, message.recording_sid
        )
        source = message.recording_url
    return _stream(source)


def _stream(source: str) -> Response:
    """Stream the recording's audio, or 502 when Twilio cannot supply it."""
    settings = current.settings()
    if not (is_twilio_url(source) and settings.twilio_account_sid and settings.twilio_auth_token):
        abort(404)
    audio = fetch_audio(source)
    if audio is None:
        return Response("The recording is not available from Twilio.", 502)
    headers = {"Cache-Control": "private, no-store"}
    return Response(audio.chunks, content_type=audio.content_type, headers=headers)


def _case_or_404(session: Session, reference: str) -> Case:
    """Return the case or answer 404."""
    case = record.find_case(session, reference)
    if case is None:
        abort(404)
    return case
