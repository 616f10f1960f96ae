"""The dialled line's own call folded into the caller's: order-tolerant, idempotent, monotonic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from helpline.calls.events import SCREENING_PARAM, CallState, ContactEvent, EventKind
from helpline.calls.folding import fold
from helpline.calls.on_the_line import where_now

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PARENT, LEG, LEG2 = "CA" + "1" * 32, "CA" + "2" * 32, "CA" + "3" * 32


# The routing order the webhooks send with every event about a line (config/helpline.toml).
LINES = ["harmony", "out_of_hours"]


def leg_event(status: str, sequence: int, sid: str = LEG, line: str = "harmony") -> ContactEvent:
    """Return a child-leg progress event as Twilio posts it to the <Number> statusCallback."""
    at = START + timedelta(seconds=2 * sequence)
    params = {"CallSid": sid, "ParentCallSid": PARENT, "CallStatus": status}
    params |= {"SequenceNumber": str(sequence), "Timestamp": format_datetime(at)}
    params |= {"CallbackSource": "call-progress-events", "Direction": "outbound-dial"}
    return ContactEvent("leg", PARENT, at, params, {"line": line, "hook": "leg", "lines": LINES})


def screening_event(outcome: str, seconds: int = 9, sid: str = LEG) -> ContactEvent:
    """Return the screening prompt's event (asked) or the key's (a decision)."""
    hook = "screen" if outcome == "asked" else "screened"
    params = {"CallSid": sid, "ParentCallSid": PARENT, SCREENING_PARAM: outcome}
    route = {"line": "harmony", "hook": hook, "flow": "harmony", "state": "connect_harmony"}
    route["lines"] = LINES
    return ContactEvent("screening", PARENT, START + timedelta(seconds=seconds), params, route)


def dial_event(status: str, bridged: str, line: str = "harmony", sid: str = LEG) -> ContactEvent:
    """Return the caller's <Dial> action event for a line."""
    params = {"CallSid": PARENT, "DialCallStatus": status, "DialBridged": bridged}
    params |= {"DialCallSid": sid, "CallStatus": "in-progress"}
    kind: EventKind = "dial"
    route = {"line": line, "lines": LINES}
    return ContactEvent(kind, PARENT, START + timedelta(seconds=30), params, route)


def fold_all(events: list[ContactEvent]) -> CallState:
    """Fold events in the given order, dropping repeats by dedupe key as the recorder does."""
    state, seen = CallState(started_at=START, status="in-progress"), set()
    for event in events:
        if event.dedupe_key not in seen:
            seen.add(event.dedupe_key)
            state = fold(state, event)
    return state


ACCEPTED = [leg_event("initiated", 0), leg_event("ringing", 1), leg_event("in-progress", 4)]
ACCEPTED += [screening_event("asked"), screening_event("accepted", 12), leg_event("completed", 60)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(ACCEPTED))))[::37])
def test_any_order_gives_the_same_answer(order: tuple[int, ...]) -> None:
    """Twilio may deliver the line's events in any order: the result is the same."""
    state = fold_all([ACCEPTED[index] for index in order])
    assert state.leg_ringing_at == START + timedelta(seconds=2)
    assert state.leg_answered_at == START + timedelta(seconds=8)
    assert (state.leg_status, state.screening) == ("completed", "accepted")
    assert state.answered_by == "person"
    assert state.status == "in-progress"  # the line's call never moves the caller's


def test_repeats_change_nothing_and_status_never_goes_back() -> None:
    """A retried event has the same dedupe key; a late 'ringing' does not undo 'answered'."""
    assert leg_event("ringing", 1).dedupe_key == leg_event("ringing", 1).dedupe_key
    assert screening_event("accepted").dedupe_key == screening_event("accepted", 20).dedupe_key
    state = fold_all([leg_event("in-progress", 4), leg_event("ringing", 1)] * 2)
    assert state.leg_status == "in-progress"
    assert where_now(state) == "talking"


@pytest.mark.parametrize("outcome", ["no_key", "declined", "machine"])
def test_a_machine_or_a_refusal_is_not_a_person(outcome: str) -> None:
    """No key, a wrong key or a detected machine: answered by a machine or declined."""
    events = [leg_event("ringing", 1), screening_event("asked"), screening_event(outcome, 15)]
    state = fold_all([*events, leg_event("completed", 9), dial_event("completed", "false")])
    assert (state.screening, state.answered_by) == (outcome, "machine_or_declined")


def test_a_late_decision_beats_the_guess_from_hanging_up() -> None:
    """The leg ending during the prompt looks declined, until the 'accepted' key arrives."""
    state = fold_all([screening_event("asked"), leg_event("completed", 9)])
    assert state.answered_by == "machine_or_declined"
    assert fold(state, screening_event("accepted", 12)).answered_by == "person"


def test_no_answer_and_the_dial_outcome_without_leg_events() -> None:
    """A leg that never answers is 'no answer'; the <Dial> outcome alone settles it too."""
    state = fold_all([leg_event("ringing", 1), leg_event("no-answer", 2)])
    assert (state.answered_by, state.leg_answered_at) == ("no_answer", None)
    assert fold_all([dial_event("no-answer", "false")]).answered_by == "no_answer"
    assert fold_all([dial_event("completed", "false")]).answered_by == "machine_or_declined"
    assert fold_all([dial_event("completed", "true")]).answered_by == "person"


def test_the_support_line_leg_supersedes_the_harmony_leg() -> None:
    """After Harmony declines, the support line's leg is followed; late Harmony events are not."""
    harmony = [leg_event("ringing", 1), screening_event("asked"), screening_event("no_key", 15)]
    support = [
        leg_event(status, n, LEG2, "out_of_hours")
        for n, status in ((1, "ringing"), (3, "in-progress"))
    ]
    state = fold_all([*harmony, *support, leg_event("completed", 9)])
    assert (state.leg_sid, state.leg_line) == (LEG2, "out_of_hours")
    assert (state.screening, state.answered_by) == (None, None)
    assert where_now(state) == "talking"


def test_where_now_follows_the_call() -> None:
    """In the menu, ringing a line (also while it is screened), talking, a message, ended."""
    names = {"harmony": "Harmony line"}
    state = CallState(started_at=START, status="in-progress", waiting_on="menu")
    assert where_now(state) == "in the menu"
    ringing = fold(state, leg_event("ringing", 1))
    assert where_now(ringing, names) == "ringing Harmony line"
    screened = fold(fold(ringing, leg_event("in-progress", 4)), screening_event("asked"))
    assert where_now(screened, names) == "ringing Harmony line"
    assert where_now(fold(screened, screening_event("accepted", 12))) == "talking"
    done = fold(fold(screened, screening_event("no_key", 15)), leg_event("completed", 9))
    assert where_now(done) == "in the menu"
    assert where_now(CallState(started_at=START, waiting_on="line:out_of_hours")) == (
        "ringing out of hours"
    )
    assert where_now(CallState(started_at=START, waiting_on="message")) == "leaving a message"
    assert where_now(CallState(started_at=START, status="completed")) == "ended"
