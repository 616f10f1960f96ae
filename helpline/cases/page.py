"""Everything the case page shows, gathered in one place for the view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import current
from helpline.callbacks.queue import callback_queue
from helpline.calls.listing import outcomes_by_call
from helpline.calls.views import local_time
from helpline.cases import record, timeline
from helpline.cases.history import caller_history, safety_for
from helpline.cases.matching import Safety
from helpline.jobs.settings import job_settings
from helpline.models import (
    CATEGORIES,
    REFERRALS,
    Call,
    CallbackAttempt,
    CallbackRequest,
    Case,
    CaseChange,
    CaseNote,
    Voicemail,
)

LATEST_NOTES = 3


def page_data(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    """Gather the summary, the timeline and what the forms need."""
    settings = current.settings()
    lines = {key: line.name for key, line in settings.lines.items()}
    detail = record.detail_for(session, case)
    notes, changes = record.notes_of(session, case), record.history_of(session, case)
    callbacks, attempts = record.callbacks_of(session, case), _attempts(session, case)
    safety = safety_for(session, [case.id])[case.id]
    owed = callback_queue(session, settings.calendar, now, lines, case_id=case.id)
    names = record.staff_names(session, _actors(notes, changes, callbacks, attempts, safety))
    entries = timeline.timeline(
        timeline.call_entries(case.calls, outcomes_by_call(session, case.id), lines),
        timeline.note_entries(notes, names),
        timeline.voicemail_entries(_voicemails(session, case)),
        timeline.callback_entries(callbacks, names, local_time),
        timeline.attempt_entries(attempts, names),
        timeline.change_entries(changes, names, _moved_call_times(session, changes)),
    )
    merged_into = session.get(Case, detail.merged_into_id) if detail.merged_into_id else None
    return {
        "case": case,
        "detail": detail,
        "merged_into": merged_into,
        "safety": safety,
        "consent": record.latest_consent(callbacks),
        "owed": owed[0] if owed else None,
        "latest_notes": notes[:LATEST_NOTES],
        "notes_count": len(notes),
        "names": names,
        "history": caller_history(session, case),
        "keep_days": job_settings().keep_days,
        "timeline": entries,
        "now": now,
        "staff": record.staff_choices(session),
        "categories": CATEGORIES,
        "referrals": REFERRALS,
    }


def _actors(
    notes: list[CaseNote],
    changes: list[CaseChange],
    callbacks: list[CallbackRequest],
    attempts: list[CallbackAttempt],
    safety: Safety,
) -> set[str]:
    """Return every member of staff these records name (by email, as they are stored)."""
    found = {note.author for note in notes} | {change.actor for change in changes}
    # Older assignment entries name the assignee by email.
    found |= {change.detail for change in changes if change.kind == "assigned"}
    found |= {callback.completed_by for callback in callbacks if callback.completed_by}
    found |= {attempt.actor for attempt in attempts}
    return found | ({safety.decision.set_by} if safety.decision else set())


def _attempts(session: Session, case: Case) -> list[CallbackAttempt]:
    """Return every attempt at calling this case back."""
    query = select(CallbackAttempt).where(CallbackAttempt.case_id == case.id)
    return list(session.scalars(query))


def _voicemails(session: Session, case: Case) -> list[Voicemail]:
    """Return the case's voicemails."""
    return list(session.scalars(select(Voicemail).where(Voicemail.case_id == case.id)))


def _moved_call_times(session: Session, changes: list[CaseChange]) -> dict[str, str]:
    """Return the local start time of each call named by a move in the history, by SID."""
    sids = {
        change.detail.split(" ", 1)[0]
        for change in changes
        if change.kind in ("call_moved_out", "call_moved_in")
    }
    query = select(Call.call_sid, Call.started_at).where(Call.call_sid.in_(sids))
    return {sid: local_time(started) for sid, started in session.execute(query)}
