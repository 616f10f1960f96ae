"""The callback step: is it safe to call, may we leave a message, and (if withheld) what number."""

from __future__ import annotations

from twilio.twiml.voice_response import Gather

from helpline import phones
from helpline.flows.kind import StepKind
from helpline.flows.model import Step
from helpline.flows.render import CallbackConsent, Input, Renderer
from helpline.flows.steps import text
from helpline.routing import working_deadline


def enter_callback(r: Renderer, step: Step) -> Step | None:
    """Ask whether a callback is safe; silence means no."""
    r.note(step)
    return ask(r, step, "safe", first=1)


def ask(r: Renderer, step: Step, stage: str, first: int, **query: object) -> Step | None:
    """Ask one callback question over the remaining attempts, then its silent way out."""
    attempts = step.prop("attempts", 3)
    for attempt in range(first, attempts + 1):
        keys = {"finish_on_key": "#", "timeout": 10} if stage == "number" else {"num_digits": 1}
        gather = Gather(
            action=r.url(step, "gather", stage=stage, attempt=attempt, **query),
            method="POST",
            **({"timeout": 6} | keys),
        )
        r.prompts.say(gather, text(step, f"ask_{stage}"))
        r.response.append(gather)
    if stage == "safe":
        return r.go(step, "declined")
    if stage == "number":
        return r.go(step, "failed", "declined")
    # No answer on leaving a message: take it as no, and carry on via our own callback.
    r.response.redirect(
        r.url(step, "gather", stage=stage, attempt=attempts, **query), method="POST"
    )
    return None


def resume_callback(r: Renderer, step: Step, given: Input) -> Step | None:
    """Take the answer to one callback question and ask the next, or store the request."""
    stage, attempt = given.query.get("stage", "safe"), given.number("attempt", 1)
    last = attempt >= step.prop("attempts", 3)
    answer = {"safe": resume_safe, "message": resume_message}.get(stage, resume_number)
    return answer(r, step, given, attempt, last)


def resume_safe(r: Renderer, step: Step, given: Input, attempt: int, last: bool) -> Step | None:
    """Safe (1): ask about messages; not safe (2), or no answer at all: store nothing."""
    if given.digits == "1":
        r.note(step, "safe")
        return ask(r, step, "message", first=1, safe=1)
    if given.digits == "2" or last:
        return r.go(step, "declined")
    r.prompts.say(r.response, text(step, "invalid_say"))
    return ask(r, step, "safe", first=attempt + 1)


def resume_message(r: Renderer, step: Step, given: Input, attempt: int, last: bool) -> Step | None:
    """Note whether a message may be left (no answer means no), then the number if withheld."""
    if given.digits not in ("1", "2") and not last:
        r.prompts.say(r.response, text(step, "invalid_say"))
        return ask(r, step, "message", first=attempt + 1, safe=1)
    message = given.digits == "1"
    r.note(step, "message" if message else "no_message")
    if r.context.caller.number is None:
        return ask(r, step, "number", first=1, safe=1, message=int(message))
    return request(r, step, r.context.caller.number, message)


def resume_number(r: Renderer, step: Step, given: Input, attempt: int, last: bool) -> Step | None:
    """Check the number a withheld caller keyed in; ask again if it is not a phone number."""
    message = given.query.get("message") == "1"
    number = phones.caller_from(given.digits).number if given.digits else None
    if number is not None:
        return request(r, step, number, message)
    if last:
        return r.go(step, "failed", "declined")
    r.note(step, "invalid_number")
    r.prompts.say(r.response, text(step, "invalid_number"))
    return ask(r, step, "number", first=attempt + 1, safe=1, message=int(message))


def request(r: Renderer, step: Step, number: str, message: bool) -> Step | None:
    """Hand back the callback request, due within one working day, and move on."""
    due = working_deadline(r.context.now, r.context.calendar)
    r.callback = CallbackConsent(number, True, message, due)
    return r.go(step, "requested")


CALLBACK = StepKind(
    "callback",
    enter_callback,
    {"ask_safe": str, "ask_message": str, "ask_number": str, "invalid_number": str}
    | {"attempts": int},
    required=("requested", "declined"),
    optional=("failed",),
    resume={"gather": resume_callback},
    inline=("declined", "failed"),
    fallbacks={"failed": ("declined",)},
)
