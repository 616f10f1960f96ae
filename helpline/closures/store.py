"""Read and change closures in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.models import Closure, utcnow
from helpline.routing import ClosureKind, ClosurePeriod


def current_and_future(session: Session, now: datetime | None = None) -> list[ClosurePeriod]:
    """Return every closure that has not yet ended, as plain routing periods."""
    query = select(Closure).where(Closure.ends_at > (now or utcnow())).order_by(Closure.starts_at)
    return [as_period(closure) for closure in session.scalars(query)]


def covering(session: Session, instant: datetime) -> list[ClosurePeriod]:
    """Return the closures in force at an instant (past instants included)."""
    query = select(Closure).where(Closure.starts_at <= instant, Closure.ends_at > instant)
    return [as_period(closure) for closure in session.scalars(query)]


def as_period(closure: Closure) -> ClosurePeriod:
    """Return the routing view of a closure row."""
    kind: ClosureKind = "open" if closure.kind == "open" else "closed"
    return ClosurePeriod(closure.starts_at, closure.ends_at, closure.reason, kind, closure.line)


def add(
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    set_by: str,
    kind: ClosureKind = "closed",
    line: str | None = None,
) -> Closure:
    """Add a closure of a line (None: the main line) after checking it makes sense."""
    if ends_at <= starts_at:
        raise ValueError("a closure must end after it starts")
    if not reason.strip():
        raise ValueError("a closure needs a reason")
    closure = Closure(
        kind=kind,
        line=line,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        set_by=set_by,
    )
    session.add(closure)
    session.flush()
    return closure
