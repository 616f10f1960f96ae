"""The dialled line's own call (the child leg): ringing, answered, screened, folded. Pure."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from helpline.calls.events import (
    SCREENING_PARAM,
    STATUS_RANK,
    TERMINAL_STATUSES,
    CallState,
    ContactEvent,
    line_rank,
)
from helpline.dial_status import CONNECTED, UNANSWERED, DialStatus

PERSON, MACHINE_OR_DECLINED, NO_ANSWER = "person", "machine_or_declined", "no_answer"
ANSWERED_BY = (PERSON, MACHINE_OR_DECLINED, NO_ANSWER)
ASKED = "asked"  # the screening prompt was played; no decision yet
# What the answering party did at the screening prompt, and who that makes them. "ended" is a
# leg that hung up during the prompt; a voicemail never presses a key, so it is "no_key".
DECISIONS = {
    "accepted": PERSON,
    "declined": MACHINE_OR_DECLINED,
    "no_key": MACHINE_OR_DECLINED,
    "machine": MACHINE_OR_DECLINED,
    "ended": MACHINE_OR_DECLINED,
}
ANSWERED_DIALS = CONNECTED
UNANSWERED_DIALS = UNANSWERED | {DialStatus.CANCELED}


def fold_leg(state: CallState, event: ContactEvent) -> CallState:
    """Fold a child leg's progress event, or its screening, into the parent call."""
    line, sid = str(event.route.get("line", "")), event.params.get("CallSid", "")
    if not _is_current_leg(state, event, line, sid):
        return state
    if state.leg_sid != sid:
        state = _new_leg(state, sid, line)
    at = event.event_at or event.received_at
    if event.kind == "screening":
        state = _fold_screening(state, event.params.get(SCREENING_PARAM, ASKED), at)
    else:
        state = _fold_progress(state, event.params.get("CallStatus", ""), at)
    return dataclasses.replace(state, answered_by=answered_by(state))


def fold_dial_outcome(state: CallState, event: ContactEvent) -> CallState:
    """Settle who answered the line a <Dial> rang, from its outcome and DialBridged."""
    line, sid = str(event.route.get("line", "")), event.params.get("DialCallSid", "")
    if line_rank(event, line) < line_rank(event, state.leg_line):
        return state
    if state.leg_sid is None or line_rank(event, line) > line_rank(event, state.leg_line):
        state = _new_leg(state, sid or None, line)
    dial = event.params.get("DialCallStatus", "")
    bridged = event.params.get("DialBridged", "").lower()
    if dial in ANSWERED_DIALS and state.screening not in DECISIONS:
        # Connected after the prompt means the key was pressed; not connected means it was not.
        if bridged == "false":
            state = dataclasses.replace(state, screening="ended")
        elif bridged == "true" and state.screening == ASKED:
            state = dataclasses.replace(state, screening="accepted")
    return dataclasses.replace(state, answered_by=answered_by(state, dial))


def answered_by(state: CallState, dial_status: str = "") -> str | None:
    """Return who answered the current leg: a person, a machine (or declined), or no one."""
    if state.screening in DECISIONS:
        return DECISIONS[str(state.screening)]
    if state.leg_status in TERMINAL_STATUSES:
        if state.leg_answered_at is None and state.leg_status != DialStatus.COMPLETED:
            return NO_ANSWER
        return MACHINE_OR_DECLINED if state.screening == ASKED else PERSON
    if dial_status in ANSWERED_DIALS:
        return PERSON
    if dial_status in UNANSWERED_DIALS:
        return NO_ANSWER
    return state.answered_by


def _is_current_leg(state: CallState, event: ContactEvent, line: str, sid: str) -> bool:
    """Return True if the event is about the leg the call is on now (or a later one)."""
    if not sid:
        return False
    if state.leg_sid in (None, sid):
        return True
    status = event.params.get("CallStatus", "")
    if line_rank(event, line) != line_rank(event, state.leg_line):
        return line_rank(event, line) > line_rank(event, state.leg_line)
    # The same line rung again: a new leg starts only after the last one finished.
    return state.leg_status in TERMINAL_STATUSES and status not in TERMINAL_STATUSES


def _new_leg(state: CallState, sid: str | None, line: str) -> CallState:
    """Start following a new leg, forgetting the previous leg's progress."""
    return dataclasses.replace(
        state,
        leg_sid=sid,
        leg_line=line or None,
        leg_status=None,
        leg_ringing_at=None,
        leg_answered_at=None,
        screening=None,
        answered_by=None,
    )


def _fold_progress(state: CallState, status: str, at: datetime) -> CallState:
    """Advance the leg's status (forward only) and keep when it rang and was answered."""
    changes: dict[str, Any] = {}
    if status in STATUS_RANK and STATUS_RANK[status] > STATUS_RANK.get(state.leg_status or "", -1):
        changes["leg_status"] = status
    if status == "ringing":
        changes["leg_ringing_at"] = _earliest(state.leg_ringing_at, at)
    if status == "in-progress":
        changes["leg_answered_at"] = _earliest(state.leg_answered_at, at)
    return dataclasses.replace(state, **changes)


def _fold_screening(state: CallState, outcome: str, at: datetime) -> CallState:
    """Keep the screening outcome; the first decision is final, and the prompt means answered."""
    screening = state.screening if state.screening in DECISIONS else outcome
    rank = STATUS_RANK["in-progress"]
    status = state.leg_status if STATUS_RANK.get(state.leg_status or "", -1) >= rank else None
    return dataclasses.replace(
        state,
        screening=screening,
        leg_status=status or "in-progress",
        # Our own receipt time, only until Twilio's answered event says when exactly.
        leg_answered_at=state.leg_answered_at or at,
    )


def _earliest(current: datetime | None, at: datetime) -> datetime:
    """Return the earlier of a stored instant and a new one."""
    return at if current is None else min(current, at)
