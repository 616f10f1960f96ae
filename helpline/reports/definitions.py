"""What each figure counts, as SQL expressions over the calls table.

Every report (dashboard, API, CSV, commissioner's report) uses these, so they agree:

- in hours: `Call.route_open` is true; out of hours: every other call (closed or unknown route).
- answered: `is_answered()`, the one place that says so: `dial_status` is "completed" or
  "answered" with talk time (`talk_seconds` > 0), on whichever line connected, and not
  `answered_by` a machine or someone who declined the screening prompt (calls from before
  screening have no `answered_by` and count as before).
- outcome: every call has exactly one, the first that applies in `OUTCOMES` order (so the
  outcomes always add up to the calls):
  answered (split by the line that answered, in the config's routing order); voicemail left (a
  Voicemail row); callback requested (the caller asked for one in the menu); in progress (the
  call has not ended); abandoned in the menu (the caller hung up before any line was rung);
  abandoned while ringing (the caller hung up while a line rang: the dial was "canceled");
  unanswered (every other ended call: no answer, busy, failed, or Twilio could not say).
- time to answer: `time_to_answer()`, the one place that says so: for an answered call, the
  whole seconds from the answering line starting to ring to a person answering it (the child
  leg's own "ringing" and "answered" events from Twilio). Calls from before those events were
  recorded fall back to call length less talk time (greeting and menu included).
- service level: answered calls whose time to answer is within the threshold ([reports]
  service_level_seconds in the config, 20 by default), out of the calls answered or abandoned
  while ringing on that line.
- missed: an in-hours call that the line it was routed to did not answer, whatever happened next
  (offered the support line, hung up in the menu, left a voicemail) -- once its outcome is
  known (the call ended, or a dial finished): a call still ringing is not missed yet.
- voicemail: a call with at least one Voicemail row.
- abandoned: the call ended ("completed" or "canceled") with no answered dial and no voicemail:
  the caller hung up in the menu or before a line answered.
- unique callers: distinct cases that called. A known number has one open case and each
  withheld call its own, so this is distinct numbers plus one per withheld call; unlike the
  number, the case survives retention, so past figures do not change when numbers are erased.
- repeat calls: calls whose case had called before (at any earlier time); repeat callers:
  the cases that made at least one repeat call in the period.
- new cases: cases with a call in the period that were opened within it; returning: before it.
- ring time: `duration_seconds - talk_seconds` where both are known; talk time: answered calls.
- answer rate: answered / total calls. In-hours answer rate: in-hours calls answered by the
  line they were routed to, out of the in-hours calls that have ended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from helpline.calls.events import TERMINAL_STATUSES
from helpline.calls.legs import MACHINE_OR_DECLINED
from helpline.config import Line
from helpline.models import Call, CallbackRequest, Voicemail

ANSWERED_STATUSES = ("completed", "answered")
# "unknown" is what the stale-calls job records when Twilio cannot say how a call ended.
SETTLED_STATUSES = (*sorted(TERMINAL_STATUSES), "unknown")
ENDED_STATUSES = ("completed", "canceled")
CALLER_ASKED = "ivr"  # the source of a callback the caller asked for in the menu
ANSWERED = "answered"  # split by the answering line when tallied: answered_<line>
# Every call's one final outcome, in the order they are tested, with the words pages use.
OUTCOMES = {
    ANSWERED: "Answered",
    "voicemail": "Voicemail left",
    "callback": "Callback requested",
    "in_progress": "In progress",
    "abandoned_menu": "Abandoned in the menu",
    "abandoned_ringing": "Abandoned while ringing",
    "unanswered": "Unanswered",
}
ABANDONED = ("abandoned_menu", "abandoned_ringing")


def is_in_hours() -> ColumnElement[bool]:
    """Return the condition for an in-hours call."""
    return Call.route_open.is_(True)


def answered_on(line: str) -> str:
    """Return the outcome key of a call answered by a line."""
    return f"{ANSWERED}_{line}"


def outcome_keys(lines: Sequence[str]) -> list[str]:
    """Return every outcome in page order, answered split by line (in routing order)."""
    return [*map(answered_on, lines), *(key for key in OUTCOMES if key != ANSWERED)]


def outcome_labels(lines: Mapping[str, Line]) -> dict[str, str]:
    """Return every outcome's words in page order, answered split by line."""
    answered = {answered_on(key): f"Answered by the {line.name}" for key, line in lines.items()}
    return {key: answered.get(key) or OUTCOMES[key] for key in outcome_keys(list(lines))}


def is_answered() -> ColumnElement[bool]:
    """Return the condition for an answered call (the one definition every figure uses)."""
    by_person = or_(Call.answered_by.is_(None), Call.answered_by != MACHINE_OR_DECLINED)
    return and_(Call.dial_status.in_(ANSWERED_STATUSES), Call.talk_seconds > 0, by_person)


def time_to_answer() -> ColumnElement[Any]:
    """Return an answered call's seconds from its line ringing to being answered, else NULL."""
    timed = and_(Call.leg_ringing_at.is_not(None), Call.leg_answered_at.is_not(None))
    ringing = SecondsBetween(Call.leg_ringing_at, Call.leg_answered_at)
    return case(
        (and_(is_answered(), timed), ringing),
        (is_answered(), Call.duration_seconds - Call.talk_seconds),
        else_=None,
    )


class SecondsBetween(FunctionElement[int]):
    """Whole seconds from one timestamp column to another, rounded, on either database."""

    type = Integer()
    name = "seconds_between"
    inherit_cache = True


@compiles(SecondsBetween, "postgresql")
def _seconds_on_postgresql(element: SecondsBetween, compiler: Any, **kw: Any) -> str:
    """Compile SecondsBetween for PostgreSQL."""
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


@compiles(SecondsBetween, "sqlite")
def _seconds_on_sqlite(element: SecondsBetween, compiler: Any, **kw: Any) -> str:
    """Compile SecondsBetween for SQLite, which keeps UTC wall times as text."""
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400.0) AS INTEGER)"


def has_voicemail() -> ColumnElement[bool]:
    """Return the condition for a call that left a voicemail."""
    return exists(select(Voicemail.id).where(Voicemail.call_id == Call.id))


def has_callback() -> ColumnElement[bool]:
    """Return the condition for a call during which the caller asked to be called back."""
    # Only the caller's own request from the menu: a missed call's later callback (source
    # "missed_call") must not change how the call itself ended.
    asked = and_(CallbackRequest.call_id == Call.id, CallbackRequest.source == CALLER_ASKED)
    return exists(select(CallbackRequest.id).where(asked))


def has_outcome() -> ColumnElement[bool]:
    """Return the condition for a call whose outcome is known: it ended, or a dial finished."""
    return or_(Call.status.in_(SETTLED_STATUSES), Call.dial_status.is_not(None))


def outcome() -> ColumnElement[str]:
    """Return the call's one final outcome, a key of OUTCOMES."""
    ended = Call.status.in_(SETTLED_STATUSES)
    return case(
        (is_answered(), ANSWERED),
        (has_voicemail(), "voicemail"),
        (has_callback(), "callback"),
        (or_(Call.status.is_(None), not_(ended)), "in_progress"),
        (and_(Call.status.in_(ENDED_STATUSES), Call.dial_status.is_(None)), "abandoned_menu"),
        (Call.dial_status == "canceled", "abandoned_ringing"),
        else_="unanswered",
    )


def is_answered_where_routed() -> ColumnElement[bool]:
    """Return the condition for a call answered by the very line routing chose for it."""
    return and_(is_answered(), Call.dial_line == Call.route_line)


def missed_flag() -> ColumnElement[int]:
    """Return 1 for an in-hours call the line it was routed to did not answer, else 0."""
    return case((is_answered_where_routed(), 0), (and_(is_in_hours(), has_outcome()), 1), else_=0)


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


# How each figure is counted, in the words the pages use (shown beside the figures).
DEFINITIONS = {
    "Outcome": "Every call ends in exactly one outcome, the first of these that applies: "
    "answered (by each line in turn); voicemail left; callback requested; "
    "in progress (not ended yet); abandoned in the menu (hung up before any line rang); "
    "abandoned while ringing; unanswered (no answer, busy, failed, or Twilio could not say). "
    "So the outcomes always add up to the calls.",
    "In hours": "The call was routed to a line in its opening hours. Every other call (sent to "
    "the line that is always open) is out of hours.",
    "Answered": "A line connected the caller and they talked.",
    "In-hours answer rate": "In-hours calls answered by the line they were routed to, out of "
    "the in-hours calls that have ended.",
    "Time to answer": "For an answered call, how long the line that answered rang before a "
    "person picked up (from Twilio's own ringing and answered events for that line; for calls "
    "from before those were recorded, call length less talk time, greeting and menu included). "
    "Shown as the average and the 90th percentile (nine in ten answered calls waited no longer).",
    "Service level": "Calls answered within the target time to answer, out of the calls "
    "answered or abandoned while a line rang.",
    "Abandonment rate": "Calls where the caller hung up in the menu or while a line rang, out "
    "of all calls that have ended.",
    "Missed": "An in-hours call the line it was routed to did not answer, once its outcome is "
    "known.",
    "Unique callers": "Different cases that called: one per known number, one per withheld call.",
    "Repeat callers": "Callers who had called before (at any time) and called again in the "
    "period; repeat calls are the calls they made after their first.",
    "New and returning cases": "Cases that called in the period, opened within it (new) or "
    "before it (returning).",
    "Callbacks": "Requested in the period; made once an attempt is recorded; on time when made "
    "within one working day (opening hours only) of the request; owed when not made yet, "
    "and overdue once that working day has passed.",
    "Busiest hours": "The weekday hours (UK time) with the most calls in the period.",
}
