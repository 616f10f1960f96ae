"""A case's working record: notes, outcome, safety flags, assignment, open/closed. DB only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.cases.matching import Safety, is_new_decision
from helpline.models import (
    CATEGORIES,
    REFERRALS,
    CallbackRequest,
    Case,
    CaseChange,
    CaseDetail,
    CaseNote,
    User,
)

MAX_NOTE = 10_000


class CaseError(Exception):
    """A change to a case cannot be made; the message tells the handler why."""


@dataclass(frozen=True)
class Outcome:
    """The outcome fields of a case as a handler sets them."""

    categories: tuple[str, ...]
    referrals: tuple[str, ...]
    community_trigger: bool
    safe_to_call_back: bool | None
    safe_to_leave_message: bool | None


def find_case(session: Session, reference: str) -> Case | None:
    """Return the case with this reference, if any."""
    return session.scalars(select(Case).where(Case.reference == reference.upper())).first()


def detail_for(session: Session, case: Case) -> CaseDetail:
    """Return the case's working record, creating an empty one on first use."""
    detail = session.get(CaseDetail, case.id)
    if detail is None:
        detail = CaseDetail(case_id=case.id, categories=[], referrals=[], community_trigger=False)
        session.add(detail)
        session.flush()
    return detail


def add_note(session: Session, case: Case, author: str, body: str, now: datetime) -> CaseNote:
    """Add a note to a case; empty notes are refused."""
    text = body.strip()
    if not text:
        raise CaseError("A note cannot be empty.")
    note = CaseNote(case_id=case.id, author=author, body=text[:MAX_NOTE], created_at=now)
    session.add(note)
    return note


def set_outcome(
    session: Session, case: Case, actor: str, outcome: Outcome, shown: Safety, now: datetime
) -> bool:
    """Record the outcome and, when they differ from what the case shows, the safety flags."""
    detail = detail_for(session, case)
    before = outcome_words(detail.categories, detail.referrals, detail.community_trigger)
    detail.categories = [c for c in CATEGORIES if c in outcome.categories]
    detail.referrals = [r for r in REFERRALS if r in outcome.referrals]
    detail.community_trigger = outcome.community_trigger
    after = outcome_words(detail.categories, detail.referrals, detail.community_trigger)
    detail.updated_at, detail.updated_by = now, actor
    if after != before:
        note_change(session, case, actor, "outcome", after, now)
    call_back, message = outcome.safe_to_call_back, outcome.safe_to_leave_message
    if not is_new_decision(shown, call_back, message):
        return after != before
    detail.safe_to_call_back, detail.safe_to_leave_message = call_back, message
    detail.safety_set_at, detail.safety_set_by = now, actor
    note_change(session, case, actor, "safety", safety_words(call_back, message), now)
    return True


def outcome_words(categories: list[str], referrals: list[str], trigger: bool) -> str:
    """Describe an outcome in words, for the case history."""
    return (
        f"Categories: {', '.join(categories) or 'none'}. "
        f"Referrals: {', '.join(referrals) or 'none'}. "
        f"Community Trigger support: {'yes' if trigger else 'no'}."
    )


def safety_words(call_back: bool | None, leave_message: bool | None) -> str:
    """Describe the two safety flags in words, for the case history."""
    return (
        f"Safe to call back: {flag_word(call_back, 'no, do not call')}. "
        f"Safe to leave a message: {flag_word(leave_message, 'no, no messages')}."
    )


def flag_word(value: bool | None, no: str = "no") -> str:
    """Return yes, no or not known for a flag."""
    if value is None:
        return "not known"
    return "yes" if value else no


def staff_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Return staff names by the email the history and notes record; others keep their label."""
    wanted = set(actors)
    query = select(User.email, User.name).where(User.email.in_(wanted))
    names = {email: name for email, name in session.execute(query)}
    return {actor: names.get(actor, actor) for actor in wanted}


def assign(session: Session, case: Case, actor: str, user_id: int | None, now: datetime) -> None:
    """Assign the case to an active member of staff, or to nobody."""
    user = session.get(User, user_id) if user_id is not None else None
    if user_id is not None and (user is None or not user.active):
        raise CaseError("That member of staff cannot be assigned.")
    detail_for(session, case).assigned_to_id = user_id
    note_change(session, case, actor, "assigned", user.name if user else "nobody", now)


def set_status(session: Session, case: Case, actor: str, status: str, now: datetime) -> None:
    """Open or close a case; a number may have only one open case at a time."""
    if case.status == "merged":
        raise CaseError("This case was merged into another; work on that case instead.")
    if status not in ("open", "closed") or status == case.status:
        return
    if status == "open" and _other_open_case(session, case) is not None:
        raise CaseError("This caller already has an open case: merge into it instead.")
    case.status, case.closed_at = status, (now if status == "closed" else None)
    note_change(session, case, actor, status, "", now)


def _other_open_case(session: Session, case: Case) -> Case | None:
    """Return another open case for the same number, if there is one."""
    if case.caller_number is None:
        return None
    query = select(Case).where(
        Case.caller_number == case.caller_number, Case.status == "open", Case.id != case.id
    )
    return session.scalars(query).first()


def note_change(
    session: Session, case: Case, actor: str, kind: str, detail: str, now: datetime
) -> None:
    """Append one entry to the case's history."""
    session.add(CaseChange(case_id=case.id, actor=actor, kind=kind, detail=detail, at=now))


def notes_of(session: Session, case: Case) -> list[CaseNote]:
    """Return the case's notes, newest first."""
    query = select(CaseNote).where(CaseNote.case_id == case.id)
    return list(session.scalars(query.order_by(CaseNote.created_at.desc(), CaseNote.id.desc())))


def history_of(session: Session, case: Case) -> list[CaseChange]:
    """Return the case's history, newest first."""
    query = select(CaseChange).where(CaseChange.case_id == case.id)
    return list(session.scalars(query.order_by(CaseChange.at.desc(), CaseChange.id.desc())))


def callbacks_of(session: Session, case: Case) -> list[CallbackRequest]:
    """Return the case's callback requests, oldest first."""
    query = select(CallbackRequest).where(CallbackRequest.case_id == case.id)
    return list(session.scalars(query.order_by(CallbackRequest.requested_at)))


def latest_consent(callbacks: list[CallbackRequest]) -> CallbackRequest | None:
    """Return the caller's most recent own callback request: the consent they last gave."""
    asked = [callback for callback in callbacks if callback.source != "missed_call"]
    return max(asked, key=lambda callback: callback.requested_at, default=None)


def staff_choices(session: Session) -> list[User]:
    """Return active staff who can be assigned a case."""
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))


def selected(values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    """Return the values that are in the allowed list, in the list's order."""
    chosen = set(values)
    return tuple(value for value in allowed if value in chosen)
