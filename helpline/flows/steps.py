"""The simple step kinds (say, hangup, goto, hours, caller, voicemail): each run and its checks.

Pure: builds TwiML through the Renderer. Each kind's StepKind sits after its functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from helpline.flows.kind import SAY_PROPERTIES, StepKind
from helpline.flows.model import CALLER_KINDS, HOURS_OUTCOMES, Flow, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Input, Renderer

DEFAULTS = {
    "retry_say": "Sorry, I did not hear a choice.",
    "invalid_say": "Sorry, that is not one of the choices.",
    "ask_safe": "If it is safe for us to call you back, press 1. If it is not safe, press 2.",
    "ask_message": "If we cannot reach you, may we leave a message? Press 1 for yes, or 2 for no.",
    "ask_number": "Please key in the number we should call, then press the hash key.",
    "invalid_number": "Sorry, that does not look like a phone number.",
}
OPEN_OUTCOMES = frozenset({"in_hours", "opening"})


def text(step: Step, key: str) -> str:
    """Return a prompt the flow may override, else the calm default wording."""
    return str(step.prop(key) or DEFAULTS[key])


def enter_say(r: Renderer, step: Step) -> Step | None:
    """Speak (or play) and move on."""
    r.prompts.prompt(r.response, step.properties)
    r.note(step)
    return r.flows.step(step.flow, step.transitions["next"])


def enter_hangup(r: Renderer, step: Step) -> Step | None:
    """Say goodbye, if there is anything to say, and end the call."""
    r.prompts.prompt(r.response, step.properties)
    r.note(step)
    if r.waiting:
        # Reached only if the caller stayed silent: call back once so the path is logged.
        r.response.redirect(r.url(step, "end"), method="POST")
    else:
        r.response.hangup()
    return None


def resume_end(r: Renderer, step: Step, given: Input) -> Step | None:
    """End the call after a goodbye whose path has now been logged."""
    r.response.hangup()
    return None


def enter_goto(r: Renderer, step: Step) -> Step | None:
    """Continue in another flow."""
    r.note(step)
    flow = r.flows.flows[step.prop("flow")]
    return flow.states[step.prop("state") or flow.initial]


def enter_hours(r: Renderer, step: Step) -> Step | None:
    """Branch on the routing decision: the line's own way out, open, or why the line is closed."""
    decision = r.context.decision
    if decision.line in step.transitions:
        return r.go(step, decision.line)
    if decision.outcome in OPEN_OUTCOMES:
        return r.go(step, "open")
    return r.go(step, decision.outcome, "closed")


def enter_caller(r: Renderer, step: Step) -> Step | None:
    """Branch on who is calling: withheld, known with an open case, or new."""
    kind = "withheld" if r.context.caller.withheld else r.context.caller_kind()
    return r.go(step, kind if kind in CALLER_KINDS else "new")


def enter_voicemail(r: Renderer, step: Step) -> Step | None:
    """Invite a message and record it; silence falls through to the no-message way out."""
    r.note(step)
    r.prompts.prompt(r.response, step.properties)
    r.response.record(
        action=r.url(step, "record"),
        method="POST",
        max_length=step.prop("max_length", 120),
        finish_on_key="#",
        play_beep=True,
        timeout=5,
        trim="trim-silence",
        recording_status_callback=r.context.url(step.flow, step.name, "recording", {}),
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    return r.go(step, "no_message", "recorded")


def resume_voicemail(r: Renderer, step: Step, given: Input) -> Step | None:
    """Thank the caller for a message, or take the no-message way out."""
    if given.recording_sid and given.recording_seconds > 0:
        return r.go(step, "recorded")
    return r.go(step, "no_message", "recorded")


def say_checks(step: Step, _flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """A say (and a menu, and a voicemail) must say or play something."""
    if not step.prop("say") and not step.prop("audio"):
        yield f"a {step.type} needs 'say' words or an 'audio' URL"
    if step.prop("say") and step.prop("audio"):
        yield "give either 'say' or 'audio', not both"


def _hours_checks(step: Step, _flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """Every closed reason needs somewhere to go; a line's own way out names a configured line."""
    missing = [o for o in HOURS_OUTCOMES if o not in step.transitions]
    if "closed" not in step.transitions and missing:
        yield f"dead end: no 'closed' transition, and none for {', '.join(missing)}"
    for line in step.prop("lines", {}):
        if line not in prompts.lines:
            yield f"lines: {line!r} is not a configured line"
        elif line in HOURS_WAYS_OUT:
            yield f"lines: a line called {line!r} clashes with the {line!r} way out"


def _line_ways_out(properties: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn an hours step's lines (line -> state) into ways out named by the line."""
    lines = properties.get("lines", {})
    return {str(line): target for line, target in lines.items()}, []


def _goto_checks(step: Step, flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """A goto names an existing flow (and state)."""
    target = flows.get(step.prop("flow", ""))
    if target is None:
        yield f"goto: there is no flow {step.prop('flow')!r}"
    elif step.prop("state") and step.prop("state") not in target.states:
        yield f"goto: flow {target.name!r} has no state {step.prop('state')!r}"


def _goto_jumps(step: Step, flows: Mapping[str, Flow]) -> Iterator[tuple[str, str]]:
    """Yield the state in another flow that a goto continues in."""
    target = flows.get(step.prop("flow", ""))
    if target is not None:
        yield target.name, step.prop("state") or target.initial


SAY = StepKind(
    "say",
    enter_say,
    SAY_PROPERTIES,
    required=("next",),
    checks=say_checks,
    inline=("next",),
    passes="next",
)
HANGUP = StepKind("hangup", enter_hangup, SAY_PROPERTIES, resume={"end": resume_end})
GOTO = StepKind(
    "goto", enter_goto, {"flow": str, "state": str}, checks=_goto_checks, jumps=_goto_jumps
)
HOURS_WAYS_OUT = ("open", "closed", *HOURS_OUTCOMES)
HOURS = StepKind(
    "hours",
    enter_hours,
    {"lines": dict},  # line -> state: where a call routed to that line goes
    required=("open",),
    optional=HOURS_WAYS_OUT[1:],
    checks=_hours_checks,
    inline=None,
    fallbacks=dict.fromkeys(HOURS_OUTCOMES, ("closed",)),
    choices=_line_ways_out,
)
CALLER = StepKind("caller", enter_caller, required=CALLER_KINDS, inline=None)
VOICEMAIL = StepKind(
    "voicemail",
    enter_voicemail,
    SAY_PROPERTIES | {"max_length": int},
    required=("recorded",),
    optional=("no_message",),
    resume={"record": resume_voicemail},
    checks=say_checks,
    inline=("no_message", "recorded"),
    fallbacks={"no_message": ("recorded",)},
    event="recording",
)
