"""How each step type speaks, waits and moves on. Pure: builds TwiML through the Renderer."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.twiml.voice_response import Dial, Gather

from helpline.dial_status import CONNECTED, UNANSWERED
from helpline.flows import screening
from helpline.flows.interpreter import Input, Renderer
from helpline.flows.model import CALLER_KINDS, DIAL_DECLINED, Step

DEFAULTS = {
    "retry_say": "Sorry, I did not hear a choice.",
    "invalid_say": "Sorry, that is not one of the choices.",
    "ask_safe": "If it is safe for us to call you back, press 1. If it is not safe, press 2.",
    "ask_message": "If we cannot reach you, may we leave a message? Press 1 for yes, or 2 for no.",
    "ask_number": "Please key in the number we should call, then press the hash key.",
    "invalid_number": "Sorry, that does not look like a phone number.",
}
OPEN_OUTCOMES = frozenset({"in_hours", "opening"})
# The flow's event for each dial outcome; others (canceled: the caller hung up) end the call.
DIAL_EVENTS: Mapping[str, str] = {str(status): "answered" for status in CONNECTED} | {
    str(status): status.value.replace("-", "_") for status in UNANSWERED
}
MIN_CONFIDENCE = 0.3  # below this Twilio's speech guess is treated as not understood


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
    """Branch on the routing decision: open, or the reason the line is closed."""
    outcome = r.context.decision.outcome
    if outcome in OPEN_OUTCOMES:
        return r.go(step, "open")
    return r.go(step, outcome, "closed")


def enter_caller(r: Renderer, step: Step) -> Step | None:
    """Branch on who is calling: withheld, known with an open case, or new."""
    kind = "withheld" if r.context.caller.withheld else r.context.caller_kind()
    return r.go(step, kind if kind in CALLER_KINDS else "new")


def enter_menu(r: Renderer, step: Step) -> Step | None:
    """Offer the choices, re-prompting on silence, then take the no-input way out."""
    r.note(step)
    return menu_gathers(r, step, first=1)


def menu_gathers(r: Renderer, step: Step, first: int) -> Step | None:
    """Render the remaining attempts, each a <Gather>, then the no-input transition inline."""
    attempts = step.prop("attempts", 3)
    words: Mapping[str, object] = step.prop("words", {})
    for attempt in range(first, attempts + 1):
        options: dict[str, object] = {"num_digits": 1, "timeout": step.prop("timeout", 5)}
        if words or step.prop("speech"):
            options |= {"input": "dtmf speech", "speech_timeout": "auto"}
            options |= {"language": r.prompts.language, "hints": ", ".join(_words(words))}
        gather = Gather(action=r.url(step, "gather", attempt=attempt), method="POST", **options)
        if attempt > first:
            r.prompts.say(gather, text(step, "retry_say"))
        r.prompts.prompt(gather, step.properties)
        r.response.append(gather)
        if attempt < attempts:
            r.note(step, "no_input_repeat")
    return r.go(step, "no_input")


def resume_menu(r: Renderer, step: Step, given: Input) -> Step | None:
    """Follow the chosen key; on silence or a wrong key, ask again or take the default."""
    choice = _choice(step, given)
    if choice is not None:
        return r.go(step, choice)
    event = "invalid" if given.digits or given.speech else "no_input"
    attempt = given.number("attempt", 1)
    if attempt >= step.prop("attempts", 3):
        return r.go(step, event, "no_input")
    r.note(step, f"{event}_repeat")
    r.prompts.say(r.response, text(step, f"{'invalid' if event == 'invalid' else 'retry'}_say"))
    return menu_gathers(r, step, first=attempt + 1)


def _choice(step: Step, given: Input) -> str | None:
    """Return the menu choice the caller pressed or said, if it is one."""
    if len(given.digits) == 1 and given.digits in step.transitions:
        return given.digits
    if given.speech and given.confidence >= MIN_CONFIDENCE:
        said = given.speech.lower()
        for key, words in step.prop("words", {}).items():
            if any(word.lower() in said for word in _words({key: words})):
                return str(key)
    return None


def _words(words: Mapping[str, object]) -> list[str]:
    """Return every spoken word or phrase a menu listens for."""
    found: list[str] = []
    for value in words.values():
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        found += [str(item).strip() for item in items if str(item).strip()]
    return found


def enter_dial(r: Renderer, step: Step) -> Step | None:
    """Connect the caller to a configured line, showing their number when we know it."""
    r.note(step)
    r.prompts.prompt(r.response, step.properties)
    line = r.prompts.lines[step.prop("line")]
    # answer_on_bridge: the caller hears ringing, not silence, while the line is screened.
    dial = Dial(
        action=r.url(step, "dial"), method="POST", timeout=r.prompts.ring_timeout,
        answer_on_bridge=True, caller_id=r.context.caller.number,
    )  # fmt: skip
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


def enter_voicemail(r: Renderer, step: Step) -> Step | None:
    """Invite a message and record it; silence falls through to the no-message way out."""
    r.note(step)
    r.prompts.prompt(r.response, step.properties)
    r.response.record(
        action=r.url(step, "record"), method="POST", max_length=step.prop("max_length", 120),
        finish_on_key="#", play_beep=True, timeout=5, trim="trim-silence",
        recording_status_callback=r.context.url(step.flow, step.name, "recording", {}),
        recording_status_callback_method="POST", recording_status_callback_event="completed",
    )  # fmt: skip
    return r.go(step, "no_message", "recorded")


def resume_voicemail(r: Renderer, step: Step, given: Input) -> Step | None:
    """Thank the caller for a message, or take the no-message way out."""
    if given.recording_sid and given.recording_seconds > 0:
        return r.go(step, "recorded")
    return r.go(step, "no_message", "recorded")
