"""Where a live call is now, in the words a handler uses. Pure: no Flask, no database.

A call's row says how far Twilio has got (`status`), which flow states the caller went
through (`ivr_path`: each state as it is entered, then "state:event" as it is left) and how
the last dial ended. A caller who stays silent at a menu is not logged again until the next
webhook, so time tells the rest: once a menu has been spoken and its wait has passed, the
caller is wherever silence leads; once a line has rung for longer than it may, it answered.
`whereabouts` then asks the questions in `RULES` in turn and the first that recognises the
call's position answers. More facts about a call (the dialled line's own progress, say) fit
in as a field of `CallProgress` and one more rule ahead of the others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpline.calls.on_the_line import TALKING, live_leg
from helpline.flows.model import FlowSet, Step

LIVE_STATUSES = ("queued", "initiated", "ringing", "in-progress")
# Flow steps where the caller listens or presses keys: to a handler it is all "the menu".
MENU_KINDS = frozenset({"say", "menu", "hours", "caller", "goto"})
WORDS_PER_SECOND = 2.5  # a calm synthetic voice
GRACE_SECONDS = 5  # webhooks and speech start a little late; never move a caller on early
MAX_HOPS = 10


@dataclass(frozen=True)
class Stage:
    """One flow state: what the caller does there, for how long, and where silence leads."""

    kind: str
    line: str | None = None
    speaking: timedelta = timedelta(0)
    # Longest a silent caller stays (for a dial: until the line must have answered); None: unknown.
    listen: timedelta | None = None
    after_silence: str | None = None


@dataclass(frozen=True)
class FlowChart:
    """Every flow state by the name the call's path gives it, and what each line is called."""

    stages: Mapping[str, Stage]
    line_names: Mapping[str, str]

    def line_name(self, key: str | None) -> str:
        """Return a line's name as people say it; "another line" when it is not configured."""
        return self.line_names.get(key or "", "another line")


@dataclass(frozen=True)
class CallProgress:
    """The facts about a call that say how far it has got."""

    status: str | None
    started_at: datetime
    last_heard_at: datetime
    ivr_path: Sequence[str] = ()
    dial_status: str | None = None
    # The dialled line's own progress (statusCallbackEvent on <Number>), when Twilio sent it.
    ended_at: datetime | None = None
    waiting_on: str | None = None
    leg_line: str | None = None
    leg_status: str | None = None
    screening: str | None = None

    @property
    def state(self) -> str | None:
        """Return the flow state the caller is in: the last one entered and not yet left."""
        if not self.ivr_path or ":" in str(self.ivr_path[-1]):
            return None
        return str(self.ivr_path[-1])


@dataclass(frozen=True)
class Position:
    """A live call, the flow state it has most likely reached, and how long it has been there."""

    call: CallProgress
    stage: Stage | None
    waited: timedelta


@dataclass(frozen=True)
class Whereabouts:
    """Where a live call is, how long it has lasted, and how long since we heard of it."""

    words: str
    elapsed: timedelta
    quiet_for: timedelta
    stale: bool


Rule = Callable[[Position, FlowChart], str | None]


def whereabouts(
    call: CallProgress, chart: FlowChart, now: datetime, stale_after: timedelta
) -> Whereabouts | None:
    """Return where a live call is now, or None for a call that has ended."""
    if call.status not in LIVE_STATUSES:
        return None
    quiet_for = max(now - call.last_heard_at, timedelta(0))
    position = settle(call, chart, quiet_for)
    words = next((said for rule in RULES if (said := rule(position, chart))), "On the line")
    return Whereabouts(
        words=words,
        elapsed=max(now - call.started_at, timedelta(0)),
        quiet_for=quiet_for,
        stale=quiet_for > stale_after,
    )


def settle(call: CallProgress, chart: FlowChart, quiet_for: timedelta) -> Position:
    """Follow the ways silence leads for as long as the caller has been quiet."""
    stage, waited = chart.stages.get(call.state or ""), quiet_for - _lead_in(call, chart)
    for _ in range(MAX_HOPS):
        listen = stage.listen if stage else None
        following = chart.stages.get(stage.after_silence or "") if stage else None
        if listen is None or following is None or waited <= listen:
            break
        stage, waited = following, waited - listen
    return Position(call, stage, waited)


def _lead_in(call: CallProgress, chart: FlowChart) -> timedelta:
    """Return how long the words said just before the current state took (same reply)."""
    spoken = timedelta(0)
    for entry in reversed(call.ivr_path[:-1]):
        name, _, event = str(entry).partition(":")
        stage = chart.stages.get(name)
        if stage is None or stage.kind not in MENU_KINDS or (event and stage.kind == "menu"):
            break
        spoken += stage.speaking if not event else timedelta(0)
    return spoken


def _line_progress(position: Position, chart: FlowChart) -> str | None:
    """Name a call by its dialled line's progress events: fact, not an estimate from time."""
    leg = live_leg(position.call)
    if leg is None:
        return None
    if leg == TALKING:
        return f"Talking to the {chart.line_name(position.call.leg_line)}"
    return f"Ringing the {chart.line_name(leg)}"


def _coming_in(position: Position, chart: FlowChart) -> str | None:
    """Name a call Twilio has told us of before any flow step ran."""
    call = position.call
    return "Coming in" if not call.ivr_path and call.dial_status is None else None


def _in_menu(position: Position, chart: FlowChart) -> str | None:
    """Name a caller listening to the greeting or a menu."""
    stage = position.stage
    return "In the menu" if stage and stage.kind in MENU_KINDS else None


def _at_a_line(position: Position, chart: FlowChart) -> str | None:
    """Name a caller a line is ringing for, or talking to once it must have answered."""
    stage = position.stage
    if stage is None or stage.kind != "dial":
        return None
    line = chart.line_name(stage.line)
    if stage.listen is not None and position.waited > stage.listen:
        return f"Talking to the {line}"
    return f"Ringing the {line}"


def _leaving_message(position: Position, chart: FlowChart) -> str | None:
    """Name a caller recording a voicemail."""
    stage = position.stage
    return "Leaving a message" if stage and stage.kind == "voicemail" else None


def _asking_for_callback(position: Position, chart: FlowChart) -> str | None:
    """Name a caller answering the callback questions."""
    stage = position.stage
    return "Asking for a callback" if stage and stage.kind == "callback" else None


def _saying_goodbye(position: Position, chart: FlowChart) -> str | None:
    """Name a caller hearing the last words before the line hangs up."""
    stage = position.stage
    return "Hearing the goodbye" if stage and stage.kind == "hangup" else None


RULES: tuple[Rule, ...] = (
    _line_progress,
    _coming_in,
    _in_menu,
    _at_a_line,
    _leaving_message,
    _asking_for_callback,
    _saying_goodbye,
)


def chart_of(flows: FlowSet, line_names: Mapping[str, str], ring_timeout: int) -> FlowChart:
    """Return the chart of every state of every loaded flow, named as call paths name them."""
    stages: dict[str, Stage] = {}
    for flow in flows.flows.values():
        prefix = "" if flow.name == flows.main else f"{flow.name}/"
        for name, step in flow.states.items():
            stages[prefix + name] = _stage(step, prefix, ring_timeout)
    return FlowChart(stages=stages, line_names=line_names)


def _stage(step: Step, prefix: str, ring_timeout: int) -> Stage:
    """Return what one flow step means for where a silent caller is."""
    spoken = _speaking_time(step)
    speaking = timedelta(seconds=spoken or 0)
    if step.type == "menu" and spoken is not None:
        attempts = int(step.prop("attempts", 3))
        asking = (spoken + int(step.prop("timeout", 5)) + GRACE_SECONDS) * attempts
        silence = step.target("no_input")
        after = prefix + silence if silence else None
        return Stage(step.type, None, speaking, timedelta(seconds=asking), after)
    if step.type == "dial" and spoken is not None:
        ringing = timedelta(seconds=spoken + ring_timeout + GRACE_SECONDS)
        return Stage(step.type, step.prop("line"), speaking, ringing)
    return Stage(step.type, step.prop("line"), speaking)


def _speaking_time(step: Step) -> float | None:
    """Return about how long a step's words take to say; None for a recording (unknown)."""
    if step.prop("audio"):
        return None
    words = len(re.findall(r"\S+", str(step.prop("say", ""))))
    return words / WORDS_PER_SECOND


def duration_words(span: timedelta) -> str:
    """Return a span as a clock reads it: 4:05, or 1:02:05 past an hour."""
    total = int(span.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def span_words(span: timedelta) -> str:
    """Return a long span in words: 2 h 10 min, or 45 min under an hour."""
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
