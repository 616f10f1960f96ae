"""Find or open the case a contact belongs to (the database side of case matching)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpline.cases.references import format_reference
from helpline.database import insert_for
from helpline.models import Case, CaseReferenceCounter
from helpline.phones import Caller


def case_for_caller(session: Session, caller: Caller, now: datetime, prefix: str) -> Case:
    """Return the caller's open case, opening one if needed; each withheld call gets its own.

    A new case's reference starts with the service's prefix (config: case_reference_prefix).
    """
    if caller.withheld:
        return _open_case(session, None, now, prefix)
    existing = _open_case_for(session, caller.number)
    if existing is not None:
        return existing
    try:
        # A savepoint, so losing the race to a concurrent first call is recoverable.
        with session.begin_nested():
            return _open_case(session, caller.number, now, prefix)
    except IntegrityError:
        winner = _open_case_for(session, caller.number)
        if winner is None:
            raise
        return winner


def _open_case_for(session: Session, number: str | None) -> Case | None:
    """Return the open case for a number, if any."""
    query = select(Case).where(Case.caller_number == number, Case.status == "open")
    return session.scalars(query).first()


def _open_case(session: Session, number: str | None, now: datetime, prefix: str) -> Case:
    """Insert a new open case with the next reference for the year."""
    case = Case(
        reference=next_reference(session, now.year, prefix),
        caller_number=number,
        withheld=number is None,
        status="open",
        opened_at=now,
    )
    session.add(case)
    session.flush()
    return case


def next_reference(session: Session, year: int, prefix: str) -> str:
    """Atomically take the next case number for a year and return its reference."""
    table = CaseReferenceCounter.__table__
    statement = (
        insert_for(session)(table)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.year], set_={"last_number": table.c.last_number + 1}
        )
        .returning(table.c.last_number)
    )
    number = session.execute(statement).scalar_one()
    return format_reference(prefix, year, number)
