"""The callback queue: requested callbacks and missed in-hours calls, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, exists, not_, select
from sqlalchemy.orm import Session, aliased

from helpline import phones
from helpline.calls.events import TERMINAL_STATUSES
from helpline.config import Calendar
from helpline.models import Call, CallbackRequest, Case, CaseDetail
from helpline.reports.definitions import HARMONY, is_answered
from helpline.routing import working_deadline

# Older missed calls drop off the queue: after four weeks a callback is no longer useful.
MISSED_CALL_WINDOW = timedelta(days=28)
RESULTS = ("done", "failed")
Kind = Literal["request", "missed_call"]


class CallbackError(Exception):
    """A callback cannot be completed as asked."""


@dataclass(frozen=True)
class QueueItem:
    """One callback owed: who, since when, by when, and what the caller agreed to."""

    kind: Kind
    id: int
    reference: str
    caller: str
    requested_at: datetime
    due_at: datetime
    safe_to_call: bool | None
    may_leave_message: bool | None

    def overdue(self, now: datetime) -> bool:
        """Return True once the due time has passed."""
        return now > self.due_at


def callback_queue(session: Session, calendar: Calendar, now: datetime) -> list[QueueItem]:
    """Return every callback owed, oldest first."""
    items = _requests(session, calendar) + _missed_calls(session, calendar, now)
    return sorted(items, key=lambda item: (item.requested_at, item.kind, item.id))


def _requests(session: Session, calendar: Calendar) -> list[QueueItem]:
    """Return pending callback requests as queue items."""
    query = (
        select(CallbackRequest, Case.reference)
        .join(Case, CallbackRequest.case_id == Case.id)
        .where(CallbackRequest.status == "pending")
    )
    return [
        QueueItem(
            "request",
            request.id,
            reference,
            phones.mask(request.number),
            request.requested_at,
            request.due_at or working_deadline(request.requested_at, calendar),
            request.safe_to_call,
            request.may_leave_message,
        )
        for request, reference in session.execute(query)
    ]


def _missed_calls(session: Session, calendar: Calendar, now: datetime) -> list[QueueItem]:
    """Return recent ended in-hours calls Harmony did not answer, not yet called back."""
    query = (
        select(Call, Case.reference, CaseDetail.safe_to_call_back, CaseDetail.safe_to_leave_message)
        .join(Case, Call.case_id == Case.id)
        .outerjoin(CaseDetail, CaseDetail.case_id == Case.id)
        .where(*missed_call_conditions(now))
    )
    return [
        QueueItem("missed_call", call.id, reference, phones.mask(call.from_number),
                  call.started_at, working_deadline(call.started_at, calendar), safe, message)
        for call, reference, safe, message in session.execute(query)
    ]  # fmt: skip


def missed_call_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses picking missed in-hours calls still owed a callback."""
    later = aliased(Call)
    answered_later = exists().where(
        later.case_id == Call.case_id, later.started_at > Call.started_at,
        later.dial_status.in_(("completed", "answered")), later.talk_seconds > 0,
    )  # fmt: skip
    handled = exists().where(CallbackRequest.call_id == Call.id)
    return [
        Call.route_open.is_(True), Call.status.in_(TERMINAL_STATUSES), Call.withheld.is_(False),
        Call.started_at >= now - MISSED_CALL_WINDOW,
        not_(and_(is_answered(), Call.dial_line == HARMONY)),
        not_(answered_later), not_(handled),
    ]  # fmt: skip


def complete_request(
    session: Session, request_id: int, result: str, outcome: str, actor: str, now: datetime
) -> CallbackRequest:
    """Mark a pending callback request done or failed, with what happened."""
    request = session.get(CallbackRequest, request_id)
    if request is None or request.status != "pending":
        raise CallbackError("That callback is no longer waiting.")
    _finish(request, result, outcome, actor, now)
    return request


def complete_missed_call(
    session: Session, call_id: int, result: str, outcome: str, actor: str, now: datetime,
    calendar: Calendar,
) -> CallbackRequest:  # fmt: skip
    """Record the callback made for a missed call, so it leaves the queue and is counted."""
    call = session.scalars(select(Call).where(Call.id == call_id, *missed_call_conditions(now)))
    missed = call.first()
    if missed is None or missed.case_id is None:
        raise CallbackError("That missed call is no longer waiting for a callback.")
    request = CallbackRequest(
        case_id=missed.case_id, call_id=missed.id, number=missed.from_number,
        source="missed_call", requested_at=missed.started_at,
        due_at=working_deadline(missed.started_at, calendar),
    )  # fmt: skip
    session.add(request)
    _finish(request, result, outcome, actor, now)
    return request


def _finish(request: CallbackRequest, result: str, outcome: str, actor: str, now: datetime) -> None:
    """Close a callback with its result; a failed attempt must say what happened."""
    if result not in RESULTS:
        raise CallbackError("Choose done or failed.")
    if result == "failed" and not outcome.strip():
        raise CallbackError("Say what happened when the callback failed.")
    request.status, request.outcome = result, outcome.strip()[:2000]
    request.completed_at, request.completed_by = now, actor
