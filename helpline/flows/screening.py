"""Call screening on a dialled line: what the answering party hears and what their key means.

The screening prompt runs on the line's own call (Twilio's <Number url>), never the caller's:
the caller keeps hearing ringing until the answering party presses the key. Pure.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, Number, VoiceResponse

from helpline.flows.model import Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Renderer

# Every progress event of the line's own call, so the live list can say where a call is.
LEG_EVENTS = "initiated ringing answered completed"
DEFAULT_KEY, DEFAULT_TIMEOUT = "1", 5
ACCEPTED = "accepted"


def number(r: Renderer, step: Step, e164: str) -> Number:
    """Return the <Number> to ring: its progress reported to us, screened if the step says so."""
    url = r.context.url
    options: dict[str, str] = {
        "status_callback_event": LEG_EVENTS,
        "status_callback_method": "POST",
        "status_callback": url(step.flow, step.name, "leg", {}),
    }
    if step.prop("screening") and r.context.screening:
        options |= {"url": url(step.flow, step.name, "screen", {}), "method": "POST"}
    return Number(e164, **options)


def whisper(prompts: Prompts, step: Step, action: str) -> VoiceResponse:
    """Return the screening prompt: the flow's words, then one key within a few seconds."""
    response = VoiceResponse()
    gather = Gather(
        action=action,
        method="POST",
        num_digits=1,
        timeout=step.prop("screening_timeout", DEFAULT_TIMEOUT),
        action_on_empty_result=True,
    )
    prompts.say(gather, str(step.prop("screening")))
    response.append(gather)
    # Reached only if Twilio skips the action: an unanswered prompt never connects the caller.
    response.hangup()
    return response


def decide(step: Step, digits: str, answered_by: str = "") -> str:
    """Return the screening outcome: accepted, declined (wrong key), no_key, or machine."""
    if is_machine(answered_by):
        return "machine"
    if not digits:
        return "no_key"
    return ACCEPTED if digits == str(step.prop("screening_key", DEFAULT_KEY)) else "declined"


def is_machine(answered_by: str) -> bool:
    """Return True if Twilio's answering machine detection says no person answered."""
    return answered_by.startswith(("machine", "fax"))


def screened(outcome: str) -> VoiceResponse:
    """Connect the caller if accepted (the prompt simply ends); otherwise hang up this line."""
    response = VoiceResponse()
    if outcome != ACCEPTED:
        response.hangup()
    return response
