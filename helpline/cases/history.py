"""A caller's history across cases, read from the database for the pure rules in matching."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from helpline.cases.matching import (
    Safety,
    SafetyDecision,
    linked_cases,
    safety_of,
)
from helpline.models import Call, CallbackRequest, Case, CaseDetail

# Where a case's numbers live: (the column holding the case id, the column holding a number).
NUMBER_SOURCES: tuple[tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]], ...] = (
    (Case.id, Case.caller_number),
    (CallbackRequest.case_id, CallbackRequest.number),
    (Call.case_id, Call.from_number),
)


@dataclass(frozen=True)
class PastCase:
    """Another case of the same caller, as the case page lists it."""

    reference: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    merged_into: str | None
    calls: int
    call_back: bool | None
    leave_message: bool | None


def numbers_by_case(session: Session, case_ids: Collection[int]) -> dict[int, set[str]]:
    """Return every phone number each case is known by."""
    found: dict[int, set[str]] = {case_id: set() for case_id in case_ids}
    for case_column, number_column in NUMBER_SOURCES:
        query = select(case_column, number_column).where(
            case_column.in_(case_ids), number_column.is_not(None)
        )
        for case_id, number in session.execute(query.distinct()):
            found[case_id].add(number)
    return found


def cases_by_number(session: Session, numbers: Collection[str]) -> dict[str, set[int]]:
    """Return the cases each phone number appears on."""
    found: dict[str, set[int]] = {number: set() for number in numbers}
    for case_column, number_column in NUMBER_SOURCES:
        query = select(number_column, case_column).where(
            number_column.in_(numbers), case_column.is_not(None)
        )
        for number, case_id in session.execute(query.distinct()):
            found[number].add(case_id)
    return found


def links_for(session: Session, case_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """Return, for each case, the other cases of the same caller (by number or by merge)."""
    numbers = numbers_by_case(session, case_ids)
    cases = cases_by_number(session, set().union(*numbers.values()) if numbers else set())
    merges = merged_with(session, case_ids)
    return {
        case_id: linked_cases(case_id, numbers, cases) | merges.get(case_id, frozenset())
        for case_id in case_ids
    }


def merged_with(session: Session, case_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """Return the cases merged into or out of each case: a withheld case keeps its link."""
    query = select(CaseDetail.case_id, CaseDetail.merged_into_id).where(
        CaseDetail.merged_into_id.is_not(None),
        CaseDetail.case_id.in_(case_ids) | CaseDetail.merged_into_id.in_(case_ids),
    )
    found: dict[int, set[int]] = {}
    for source, target in session.execute(query):
        if target is None:
            continue
        found.setdefault(source, set()).add(target)
        found.setdefault(target, set()).add(source)
    return {case_id: frozenset(found.get(case_id, ())) for case_id in case_ids}


def decisions_for(session: Session, case_ids: Iterable[int]) -> dict[int, SafetyDecision]:
    """Return the safety decision recorded on each of these cases that has one."""
    query = (
        select(CaseDetail, Case.reference)
        .join(Case, Case.id == CaseDetail.case_id)
        .where(CaseDetail.case_id.in_(list(case_ids)), CaseDetail.safety_set_at.is_not(None))
    )
    return {
        detail.case_id: SafetyDecision(
            detail.case_id,
            reference,
            detail.safe_to_call_back,
            detail.safe_to_leave_message,
            detail.safety_set_by or "",
            set_at,
        )
        for detail, reference in session.execute(query)
        if (set_at := detail.safety_set_at) is not None
    }


def safety_for(
    session: Session,
    case_ids: Collection[int],
    links: Mapping[int, frozenset[int]] | None = None,
) -> dict[int, Safety]:
    """Return the safety flags each case shows, carried from the caller's other cases."""
    if not case_ids:
        return {}
    links = links_for(session, case_ids) if links is None else links
    decisions = decisions_for(session, set(case_ids).union(*links.values()))
    return {case_id: safety_of(case_id, links[case_id], decisions) for case_id in case_ids}


def caller_history(session: Session, case: Case) -> list[PastCase]:
    """Return the caller's other cases, newest first, with each one's own safety flags."""
    others = links_for(session, [case.id])[case.id]
    if not others:
        return []
    target = aliased(Case)
    merged = select(target.reference).where(target.id == CaseDetail.merged_into_id)
    query = (
        select(Case, CaseDetail, merged.scalar_subquery(), _call_count())
        .outerjoin(CaseDetail, CaseDetail.case_id == Case.id)
        .where(Case.id.in_(others))
        .order_by(Case.opened_at.desc(), Case.id.desc())
    )
    return [
        PastCase(
            other.reference,
            other.status,
            other.opened_at,
            other.closed_at,
            into,
            calls,
            detail.safe_to_call_back if detail else None,
            detail.safe_to_leave_message if detail else None,
        )
        for other, detail, into, calls in session.execute(query)
    ]


def _call_count() -> ColumnElement[int]:
    """Return a correlated count of a case's calls."""
    return select(func.count(Call.id)).where(Call.case_id == Case.id).scalar_subquery()
