"""Record an attempt at calling a case back: done, no answer (kept for a retry) or failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.callbacks.queue import RESULTS, CallbackError, missed_call_conditions
from helpline.config import Calendar
from helpline.models import Call, CallbackAttempt, CallbackRequest, Case
from helpline.routing import working_deadline

MAX_NOTE = 2000
RESULT_WORDS = {
    "done": "done",
    "no_answer": "no answer: kept open to try again",
    "failed": "failed",
}


@dataclass(frozen=True)
class AttemptForm:
    """What the handler said about one attempt, as posted."""

    result: str
    note: str

    def problem(self) -> str | None:
        """Return what is wrong with the form, or None when it can be recorded."""
        if self.result not in RESULTS:
            return "Choose what happened: spoke to the caller, no answer, or failed."
        if self.result == "failed" and not self.note.strip():
            return "Give the reason the callback failed."
        return None


def record_attempt(
    session: Session,
    case: Case,
    form: AttemptForm,
    actor: str,
    now: datetime,
    calendar: Calendar,
) -> str:
    """Record one attempt on every callback the case is owed; done or failed closes them."""
    problem = form.problem()
    if problem is not None:
        raise CallbackError(problem)
    # Lock the case so two handlers recording at once cannot both turn a missed call into a request.
    session.scalars(select(Case.id).where(Case.id == case.id).with_for_update()).one()
    owed = _open_requests(session, case, now, calendar)
    if not owed:
        raise CallbackError(f"{case.reference} is not owed a callback any more.")
    note = form.note.strip()[:MAX_NOTE]
    session.add(
        CallbackAttempt(case_id=case.id, at=now, actor=actor, result=form.result, note=note)
    )
    if form.result != "no_answer":
        for request in owed:
            request.status, request.outcome = form.result, note
            request.completed_at, request.completed_by = now, actor
    return f"Callback for {case.reference}: {RESULT_WORDS[form.result]}."


def _open_requests(
    session: Session, case: Case, now: datetime, calendar: Calendar
) -> list[CallbackRequest]:
    """Return the case's pending requests, first turning its missed calls into requests."""
    missed = select(Call).where(Call.case_id == case.id, *missed_call_conditions(now))
    for call in session.scalars(missed):
        session.add(
            CallbackRequest(
                case_id=case.id,
                call_id=call.id,
                number=call.from_number,
                source="missed_call",
                status="pending",
                requested_at=call.started_at,
                due_at=working_deadline(call.started_at, calendar),
            )
        )
    session.flush()
    pending = select(CallbackRequest).where(
        CallbackRequest.case_id == case.id, CallbackRequest.status == "pending"
    )
    return list(session.scalars(pending.order_by(CallbackRequest.requested_at)))
