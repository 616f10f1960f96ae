"""The callback queue: each case owed a callback, with its requests, missed calls and attempts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, exists, not_, or_, select
from sqlalchemy.orm import Session, aliased

from helpline import phones
from helpline.calls.events import TERMINAL_STATUSES
from helpline.calls.legs import MACHINE_OR_DECLINED
from helpline.calls.listing import outcome
from helpline.cases.history import safety_for
from helpline.cases.matching import Safety
from helpline.config import Calendar
from helpline.models import Call, CallbackAttempt, CallbackRequest, Case
from helpline.reports.definitions import is_answered_where_routed
from helpline.routing import working_deadline

# Older missed calls drop off the queue: after four weeks a callback is no longer useful.
MISSED_CALL_WINDOW = timedelta(days=28)
RESULTS = ("done", "no_answer", "failed")
Kind = Literal["request", "missed_call"]


class CallbackError(Exception):
    """A callback attempt cannot be recorded as asked; the message says what is wrong."""


@dataclass(frozen=True)
class Owed:
    """One callback owed on a case: a caller's request, or a missed call not yet returned."""

    kind: Kind
    id: int
    why: str
    caller: str
    requested_at: datetime
    due_at: datetime
    safe_to_call: bool | None
    may_leave_message: bool | None

    def overdue(self, now: datetime) -> bool:
        """Return True once the due time has passed."""
        return now > self.due_at


@dataclass(frozen=True)
class CaseOwed:
    """One row of the queue: a case, everything owed on it, and the attempts made so far."""

    case_id: int
    reference: str
    items: tuple[Owed, ...]
    attempts: tuple[CallbackAttempt, ...] = ()
    safety: Safety | None = None

    @property
    def caller(self) -> str:
        """Return the masked number to call (the newest given)."""
        return self.items[-1].caller

    @property
    def since(self) -> datetime:
        """Return when the oldest callback owed was asked for."""
        return self.items[0].requested_at

    @property
    def due_at(self) -> datetime:
        """Return the earliest due time."""
        return min(item.due_at for item in self.items)

    def overdue(self, now: datetime) -> bool:
        """Return True once any callback on the case is overdue."""
        return now > self.due_at


def callback_queue(
    session: Session,
    calendar: Calendar,
    now: datetime,
    lines: Mapping[str, str],
    case_id: int | None = None,
) -> list[CaseOwed]:
    """Return every case owed a callback, oldest first, with attempts and safety flags."""
    owed = owed_by_case(session, calendar, now, lines, case_id)
    safety = safety_for(session, [row.case_id for row in owed])
    attempts = _attempts(session, owed)
    return [
        CaseOwed(
            row.case_id,
            row.reference,
            row.items,
            attempts.get(row.case_id, ()),
            safety.get(row.case_id),
        )
        for row in owed
    ]


def owed_counts(session: Session, calendar: Calendar, now: datetime) -> tuple[int, int]:
    """Return how many cases are owed a callback, and how many of those are overdue."""
    owed = owed_by_case(session, calendar, now, {})
    return len(owed), sum(1 for row in owed if row.overdue(now))


def owed_by_case(
    session: Session,
    calendar: Calendar,
    now: datetime,
    lines: Mapping[str, str],
    case_id: int | None = None,
) -> list[CaseOwed]:
    """Group the requests and missed calls owed by case, oldest first."""
    items = _requests(session, calendar, lines, case_id)
    items += _missed_calls(session, calendar, now, lines, case_id)
    grouped: dict[tuple[int, str], list[Owed]] = {}
    for key, item in sorted(items, key=lambda pair: (pair[1].requested_at, pair[1].id)):
        grouped.setdefault(key, []).append(item)
    return [CaseOwed(key[0], key[1], tuple(owed)) for key, owed in grouped.items()]


def why_words(label: str, dial_line: str | None, lines: Mapping[str, str]) -> str:
    """Say why a call is owed a callback, agreeing with the calls list's label for it."""
    if label == "answered":
        return f"Answered by the {lines.get(dial_line or '', 'line called')}"
    words = {"voicemail": "Left a voicemail", "missed": "Missed call"}
    return words.get(label, "Call not answered")


def _requests(
    session: Session, calendar: Calendar, lines: Mapping[str, str], case_id: int | None
) -> list[tuple[tuple[int, str], Owed]]:
    """Return pending callback requests as queue items, keyed by case."""
    query = (
        select(CallbackRequest, Case.reference, outcome(), Call.dial_line)
        .join(Case, CallbackRequest.case_id == Case.id)
        .outerjoin(Call, CallbackRequest.call_id == Call.id)
        .where(CallbackRequest.status == "pending")
    )
    if case_id is not None:
        query = query.where(CallbackRequest.case_id == case_id)
    return [
        (
            (request.case_id, reference),
            Owed(
                "request",
                request.id,
                why_words(label, dial_line, lines)
                if request.source == "missed_call"
                else "Asked for a callback",
                phones.mask(request.number),
                request.requested_at,
                request.due_at or working_deadline(request.requested_at, calendar),
                *_consent(request),
            ),
        )
        for request, reference, label, dial_line in session.execute(query)
    ]


def _consent(request: CallbackRequest) -> tuple[bool | None, bool | None]:
    """Return what the caller agreed to; a missed call's callback carries no consent."""
    if request.source == "missed_call":
        return None, None
    return request.safe_to_call, request.may_leave_message


def _missed_calls(
    session: Session,
    calendar: Calendar,
    now: datetime,
    lines: Mapping[str, str],
    case_id: int | None,
) -> list[tuple[tuple[int, str], Owed]]:
    """Return recent ended in-hours calls their line did not answer, not yet called back."""
    # Columns, not whole rows: the navigation counts these on every page.
    query = (
        select(
            Call.id,
            Call.dial_line,
            Call.from_number,
            Call.started_at,
            Case.id,
            Case.reference,
            outcome(),
        )
        .join(Case, Call.case_id == Case.id)
        .where(*missed_call_conditions(now))
    )
    if case_id is not None:
        query = query.where(Call.case_id == case_id)
    return [
        (
            (owner, reference),
            Owed(
                "missed_call",
                call_id,
                why_words(label, dial_line, lines),
                phones.mask(number),
                started,
                working_deadline(started, calendar),
                None,
                None,
            ),
        )
        for call_id, dial_line, number, started, owner, reference, label in session.execute(query)
    ]


def missed_call_conditions(now: datetime) -> list[ColumnElement[bool]]:
    """Return the WHERE clauses picking missed in-hours calls still owed a callback."""
    later = aliased(Call)
    answered_later = exists().where(
        later.case_id == Call.case_id,
        later.started_at > Call.started_at,
        later.dial_status.in_(("completed", "answered")),
        later.talk_seconds > 0,
        or_(later.answered_by.is_(None), later.answered_by != MACHINE_OR_DECLINED),
    )
    handled = exists().where(CallbackRequest.call_id == Call.id)
    return [
        Call.route_open.is_(True),
        Call.status.in_(TERMINAL_STATUSES),
        Call.withheld.is_(False),
        Call.started_at >= now - MISSED_CALL_WINDOW,
        not_(is_answered_where_routed()),
        not_(answered_later),
        not_(handled),
    ]


def _attempts(session: Session, owed: list[CaseOwed]) -> dict[int, tuple[CallbackAttempt, ...]]:
    """Return each case's attempts since its oldest callback owed, oldest first."""
    since = {row.case_id: row.since for row in owed}
    query = (
        select(CallbackAttempt)
        .where(CallbackAttempt.case_id.in_(list(since)))
        .order_by(CallbackAttempt.at, CallbackAttempt.id)
    )
    found: dict[int, list[CallbackAttempt]] = {}
    for attempt in session.scalars(query):
        if attempt.at >= since[attempt.case_id]:
            found.setdefault(attempt.case_id, []).append(attempt)
    return {case_id: tuple(attempts) for case_id, attempts in found.items()}
