"""Move a call to another case, or merge two cases, keeping the history of both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.cases.record import CaseError, detail_for, find_case, note_change
from helpline.models import Call, CallbackAttempt, CallbackRequest, Case, CaseNote, Voicemail


def target_case(session: Session, reference: str, source: Case) -> Case:
    """Return the case a call or case is going to, refusing itself and merged cases."""
    target = find_case(session, reference.strip())
    if target is None:
        raise CaseError(f"There is no case {reference.strip().upper()}.")
    if target.id == source.id:
        raise CaseError("Choose a different case.")
    if target.status == "merged":
        raise CaseError(f"{target.reference} was itself merged; use the case it went into.")
    return target


def move_call(
    session: Session, source: Case, call_sid: str, reference: str, actor: str, now: datetime
) -> Case:
    """Move one call (with its voicemails and callbacks) from source to another case."""
    call = session.scalars(
        select(Call).where(Call.call_sid == call_sid, Call.case_id == source.id)
    ).first()
    if call is None:
        raise CaseError("That call is not on this case.")
    target = target_case(session, reference, source)
    call.case_id = target.id
    for model in (Voicemail, CallbackRequest):
        session.execute(update(model).where(model.call_id == call.id).values(case_id=target.id))
    note_change(session, source, actor, "call_moved_out", f"{call_sid} to {target.reference}", now)
    note_change(session, target, actor, "call_moved_in", f"{call_sid} from {source.reference}", now)
    return target


def merge_cases(session: Session, source: Case, reference: str, actor: str, now: datetime) -> Case:
    """Fold source into the target: its calls, voicemails, callbacks, attempts and notes move."""
    if source.status == "merged":
        raise CaseError("This case has already been merged.")
    target = target_case(session, reference, source)
    for model in (Call, Voicemail, CallbackRequest, CallbackAttempt, CaseNote):
        session.execute(update(model).where(model.case_id == source.id).values(case_id=target.id))
    source.status, source.closed_at = "merged", now
    detail_for(session, source).merged_into_id = target.id
    note_change(session, source, actor, "merged_into", target.reference, now)
    note_change(session, target, actor, "merged_from", source.reference, now)
    return target
