"""Retention: anonymise personal data older than the retention period, keeping coded fields.

Counts, times, routes, statuses and durations stay, so volume figures for past periods do
not change; numbers, note text and recordings go. Cases on legal hold are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from helpline.calls.events import PERSONAL_FIELDS
from helpline.db import get_database
from helpline.jobs import JobContext
from helpline.jobs.settings import job_settings
from helpline.models import (
    Call,
    CallbackAttempt,
    CallbackRequest,
    CallEvent,
    Case,
    CaseNote,
    JobRun,
    Voicemail,
)
from helpline.twilio.client import TwilioNotConfiguredError
from helpline.twilio.recordings import delete_recording

Row = TypeVar("Row")

# Fields Twilio may post that identify a caller or carry what they said.
EVENT_PERSONAL_FIELDS = PERSONAL_FIELDS | {"RecordingUrl", "TranscriptionText", "CallerId"}


@dataclass(frozen=True)
class RetentionScope:
    """One retention run: what is old enough, when it runs, and whether to change anything."""

    cutoff: datetime
    now: datetime
    dry_run: bool
    context: JobContext


Anonymiser = Callable[[Session, RetentionScope], int]
# Other modules (case notes, say) add theirs with @anonymiser; each returns how many rows.
ANONYMISERS: list[Anonymiser] = []
NOTE_REMOVED = "[note removed after the retention period]"


def anonymiser(function: Anonymiser) -> Anonymiser:
    """Register a function that anonymises one kind of record."""
    ANONYMISERS.append(function)
    return function


def run(context: JobContext) -> Mapping[str, Any]:
    """Anonymise everything past the retention period (or list it, on a dry run)."""
    settings = job_settings(context.app)
    scope = RetentionScope(
        cutoff=context.now - timedelta(days=settings.keep_days),
        now=context.now,
        dry_run=context.dry_run,
        context=context,
    )
    summary: dict[str, Any] = {"cutoff": scope.cutoff.isoformat()}
    with get_database(context.app).transaction() as session:
        for function in ANONYMISERS:
            summary[function.__name__] = function(session, scope)
    return summary


def not_on_hold(case_id: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """Return a condition true when a record's case (if any) is not on legal hold."""
    held = select(Case.id).where(Case.legal_hold.is_(True))
    return or_(case_id.is_(None), case_id.not_in(held))


def _targets(session: Session, query: Select[Row]) -> list[Row]:
    """Return the rows a query selects, locked against a concurrent webhook."""
    return list(session.scalars(query.with_for_update()))


def _old_records(
    session: Session,
    scope: RetentionScope,
    model: type[Row],
    made: InstrumentedAttribute[Any],
    pending: ColumnElement[bool],
    case_id: InstrumentedAttribute[Any],
) -> list[Row]:
    """Return (locked) the rows made before the cutoff, still pending, whose case is not held."""
    query = select(model).where(made < scope.cutoff, pending, not_on_hold(case_id))
    return _targets(session, query)


@anonymiser
def strip_event_params(session: Session, scope: RetentionScope) -> int:
    """Remove personal fields from the logged webhook parameters of old calls."""
    query = (
        select(CallEvent)
        .join(Call)
        .where(
            Call.started_at < scope.cutoff,
            Call.anonymised_at.is_(None),
            not_on_hold(Call.case_id),
        )
        .order_by(CallEvent.id)
    )
    changed = 0
    for event in _targets(session, query):
        kept = {k: v for k, v in event.params.items() if k not in EVENT_PERSONAL_FIELDS}
        if kept != event.params:
            changed += 1
            if not scope.dry_run:
                event.params = kept
    if changed:
        scope.context.say(f"{changed} call events: remove personal fields")
    return changed


@anonymiser
def anonymise_calls(session: Session, scope: RetentionScope) -> int:
    """Clear the caller's number on old calls; keep withheld, times, route and outcome."""
    calls = _old_records(
        session, scope, Call, Call.started_at, Call.anonymised_at.is_(None), Call.case_id
    )
    for call in calls:
        scope.context.say(f"call {call.call_sid}: remove caller number")
        if not scope.dry_run:
            call.from_number, call.anonymised_at = None, scope.now
    return len(calls)


@anonymiser
def anonymise_callbacks(session: Session, scope: RetentionScope) -> int:
    """Clear the number and outcome notes of old callback requests; keep status and times."""
    callbacks = _old_records(
        session,
        scope,
        CallbackRequest,
        CallbackRequest.requested_at,
        CallbackRequest.anonymised_at.is_(None),
        CallbackRequest.case_id,
    )
    for callback in callbacks:
        scope.context.say(f"callback {callback.id}: remove number and notes")
        if not scope.dry_run:
            callback.number, callback.outcome = None, None
            callback.anonymised_at = scope.now
    return len(callbacks)


@anonymiser
def delete_recordings(session: Session, scope: RetentionScope) -> int:
    """Delete old voicemail recordings at Twilio, then forget their URLs."""
    voicemails = _old_records(
        session,
        scope,
        Voicemail,
        Voicemail.created_at,
        Voicemail.recording_deleted_at.is_(None),
        Voicemail.case_id,
    )
    deleted = 0
    for voicemail in voicemails:
        scope.context.say(f"recording {voicemail.recording_sid}: delete at Twilio")
        if scope.dry_run or _delete_recording(voicemail.recording_sid, scope):
            deleted += 1
            if not scope.dry_run:
                voicemail.recording_url, voicemail.recording_deleted_at = None, scope.now
    return deleted


def _delete_recording(sid: str, scope: RetentionScope) -> bool:
    """Ask Twilio to delete a recording; gone already counts as deleted."""
    try:
        delete_recording(sid, scope.context.app)
    except TwilioNotConfiguredError:
        scope.context.say(f"recording {sid}: kept, Twilio credentials are not set")
        return False
    except Exception as error:  # Twilio down: keep the URL and try again next run
        scope.context.say(f"recording {sid}: Twilio could not delete it ({type(error).__name__})")
        return False
    return True


def dormant_case(scope: RetentionScope) -> ColumnElement[bool]:
    """Return the condition for a case with no contact since the cutoff and no legal hold."""
    recent_call = exists().where(Call.case_id == Case.id, Call.started_at >= scope.cutoff)
    recent_callback = exists().where(
        CallbackRequest.case_id == Case.id, CallbackRequest.requested_at >= scope.cutoff
    )
    return and_(
        Case.opened_at < scope.cutoff, Case.legal_hold.is_(False), ~recent_call, ~recent_callback
    )


@anonymiser
def remove_case_notes(session: Session, scope: RetentionScope) -> int:
    """Replace the text of old notes on dormant cases; keep who wrote them and when."""
    query = (
        select(CaseNote)
        .join(Case, CaseNote.case_id == Case.id)
        .where(
            dormant_case(scope), CaseNote.created_at < scope.cutoff, CaseNote.body != NOTE_REMOVED
        )
    )
    notes = _targets(session, query)
    if not scope.dry_run:
        for note in notes:
            note.body = NOTE_REMOVED
    scope.context.say(f"{len(notes)} case notes: remove text")
    return len(notes)


@anonymiser
def remove_attempt_notes(session: Session, scope: RetentionScope) -> int:
    """Clear what handlers wrote about old callback attempts; keep when, who and the result."""
    attempts = _old_records(
        session,
        scope,
        CallbackAttempt,
        CallbackAttempt.at,
        CallbackAttempt.note != "",
        CallbackAttempt.case_id,
    )
    if not scope.dry_run:
        for attempt in attempts:
            attempt.note = ""
    scope.context.say(f"{len(attempts)} callback attempts: remove notes")
    return len(attempts)


@anonymiser
def anonymise_cases(session: Session, scope: RetentionScope) -> int:
    """Clear the number of cases with no contact since the cutoff; keep reference and status."""
    query = select(Case).where(dormant_case(scope), Case.anonymised_at.is_(None))
    cases = _targets(session, query)
    for case in cases:
        scope.context.say(f"case {case.reference}: remove caller number")
        if not scope.dry_run:
            case.caller_number, case.anonymised_at = None, scope.now
    return len(cases)


@anonymiser
def forget_old_job_runs(session: Session, scope: RetentionScope) -> int:
    """Delete the job-run log past the retention period too; it is only for troubleshooting."""
    old = select(JobRun).where(JobRun.started_at < scope.cutoff)
    runs = list(session.scalars(old))
    if not scope.dry_run:
        for run in runs:
            session.delete(run)
    return len(runs)


def set_legal_hold(session: Session, reference: str, held: bool) -> Case | None:
    """Put a case on legal hold (or release it); return None if there is no such case."""
    case = session.scalars(select(Case).where(Case.reference == reference)).one_or_none()
    if case is not None:
        case.legal_hold = held
    return case
