"""The dial step kind: connect the caller to a configured line, screened if asked. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from twilio.twiml.voice_response import Dial

from helpline.dial_status import CONNECTED, UNANSWERED
from helpline.flows import screening
from helpline.flows.kind import SAY_PROPERTIES, StepKind
from helpline.flows.model import DIAL_DECLINED, DIAL_UNANSWERED, Flow, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Input, Renderer

# The flow's event for each dial outcome; others (canceled: the caller hung up) end the call.
DIAL_EVENTS: Mapping[str, str] = {str(status): "answered" for status in CONNECTED} | {
    str(status): status.value.replace("-", "_") for status in UNANSWERED
}


def enter_dial(r: Renderer, step: Step) -> Step | None:
    """Connect the caller to a configured line, showing their number when we know it."""
    r.note(step)
    r.prompts.prompt(r.response, step.properties)
    line = r.prompts.lines[step.prop("line")]
    # answer_on_bridge: the caller hears ringing, not silence, while the line is screened.
    dial = Dial(
        action=r.url(step, "dial"),
        method="POST",
        timeout=r.prompts.ring_timeout,
        answer_on_bridge=True,
        caller_id=r.context.caller.number,
    )
    dial.append(screening.number(r, step, line.number))
    r.response.append(dial)
    return None


def resume_dial(r: Renderer, step: Step, given: Input) -> Step | None:
    """After the dialled line: done if a person took the call, otherwise the flow's next offer."""
    event = DIAL_EVENTS.get(given.dial_status)
    if event is None:  # the caller hung up (canceled) or Twilio sent nothing useful
        r.note(step, "ended")
        r.response.hangup()
        return None
    if event == "answered" and given.dial_bridged == "false":
        # Answered but never connected: a machine, or no one accepted at the screening prompt.
        return r.go(step, DIAL_DECLINED, "no_answer", "unanswered")
    return r.go(step, event) if event == "answered" else r.go(step, event, "unanswered")


def _dial_checks(step: Step, _flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """A dial names a configured line and says what happens if it does not answer."""
    line = step.prop("line")
    if line not in prompts.lines:
        yield f"line {line!r} is not in the config (known: {', '.join(sorted(prompts.lines))})"
    missing = [o for o in DIAL_UNANSWERED if o not in step.transitions]
    if missing and "unanswered" not in step.transitions:
        yield f"dead end: no 'unanswered' transition, and none for {', '.join(missing)}"
    yield from _screening_checks(step)


def _screening_checks(step: Step) -> Iterator[str]:
    """Screening needs its words; its key is one digit; 'declined' happens only when screened."""
    if not step.prop("screening"):
        for key in ("screening_key", "screening_timeout", DIAL_DECLINED):
            if step.prop(key) is not None or key in step.transitions:
                yield f"{key}: only a dial with 'screening' words uses it"
        return
    key = step.prop("screening_key", "1")
    if len(key) != 1 or key not in "0123456789":
        yield f"screening_key: must be one digit, got {key!r}"


DIAL = StepKind(
    "dial",
    enter_dial,
    SAY_PROPERTIES
    | {"line": str, "screening": str, "screening_key": str}
    | {"screening_timeout": int},
    optional=("answered", "unanswered", *DIAL_UNANSWERED, DIAL_DECLINED),
    resume={"dial": resume_dial},
    checks=_dial_checks,
    fallbacks=dict.fromkeys(DIAL_UNANSWERED, ("unanswered",))
    | {DIAL_DECLINED: ("no_answer", "unanswered")},
    event="dial",
    logged=("line",),
)
