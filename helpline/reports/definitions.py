"""What each figure counts, as SQL expressions over the calls table.

Every report (dashboard, API, CSV, commissioner's report) uses these, so they agree:

- in hours: `Call.route_open` is true; out of hours: every other call (closed or unknown route).
- answered: `dial_status` is "completed" or "answered" with talk time (`talk_seconds` > 0),
  on whichever line connected, and not `answered_by` a machine or someone who declined the
  screening prompt (calls from before screening have no `answered_by` and count as before).
- missed: an in-hours call that the Harmony line did not answer, whatever happened next
  (offered the support line, hung up in the menu, left a voicemail) -- once its outcome is
  known (the call ended, or a dial finished): a call still ringing is not missed yet.
- voicemail: a call with at least one Voicemail row.
- abandoned: the call ended ("completed" or "canceled") with no answered dial and no voicemail:
  the caller hung up in the menu or before a line answered.
- unique callers: distinct cases that called. A known number has one open case and each
  withheld call its own, so this is distinct numbers plus one per withheld call; unlike the
  number, the case survives retention, so past figures do not change when numbers are erased.
- new cases: cases with a call in the period that were opened within it; returning: before it.
- ring time: `duration_seconds - talk_seconds` where both are known; talk time: answered calls.
- answer rate: answered / total calls.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select

from helpline.calls.events import TERMINAL_STATUSES
from helpline.calls.legs import MACHINE_OR_DECLINED
from helpline.models import Call, Voicemail

ANSWERED_STATUSES = ("completed", "answered")
# "unknown" is what the stale-calls job records when Twilio cannot say how a call ended.
SETTLED_STATUSES = (*sorted(TERMINAL_STATUSES), "unknown")
ENDED_STATUSES = ("completed", "canceled")
HARMONY = "harmony"


def is_in_hours() -> ColumnElement[bool]:
    """Return the condition for an in-hours call."""
    return Call.route_open.is_(True)


def is_answered() -> ColumnElement[bool]:
    """Return the condition for an answered call."""
    by_person = or_(Call.answered_by.is_(None), Call.answered_by != MACHINE_OR_DECLINED)
    return and_(Call.dial_status.in_(ANSWERED_STATUSES), Call.talk_seconds > 0, by_person)


def has_voicemail() -> ColumnElement[bool]:
    """Return the condition for a call that left a voicemail."""
    return exists(select(Voicemail.id).where(Voicemail.call_id == Call.id))


def has_outcome() -> ColumnElement[bool]:
    """Return the condition for a call whose outcome is known: it ended, or a dial finished."""
    return or_(Call.status.in_(SETTLED_STATUSES), Call.dial_status.is_not(None))


def missed_flag() -> ColumnElement[int]:
    """Return 1 for an in-hours call the Harmony line did not answer, else 0."""
    harmony_answered = and_(is_answered(), Call.dial_line == HARMONY)
    return case((harmony_answered, 0), (and_(is_in_hours(), has_outcome()), 1), else_=0)


def abandoned_flag() -> ColumnElement[int]:
    """Return 1 for a call that ended with no answered dial and no voicemail, else 0."""
    return case(
        (is_answered(), 0), (has_voicemail(), 0), (Call.status.in_(ENDED_STATUSES), 1), else_=0
    )


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Return 1 where the condition holds, 0 where it is false or unknown."""
    return case((condition, 1), else_=0)


def utc_hour(dialect: str) -> ColumnElement[Any]:
    """Return the call's start truncated to the UTC hour (a string on SQLite)."""
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", Call.started_at))
    return func.strftime("%Y-%m-%d %H:00:00", Call.started_at)
