"""What the caller hears: every TwiML document the call path sends is built here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twilio.twiml.voice_response import Dial, Say, VoiceResponse

from helpline.config import Line, Settings
from helpline.phones import Caller
from helpline.routing import RouteDecision, describe_hours

CONNECTED = frozenset({"completed", "answered"})
# Dial outcomes after which the caller is still on the line and needs somewhere to go.
UNANSWERED = frozenset({"no-answer", "busy", "failed"})


@dataclass(frozen=True)
class Script:
    """The settings a script needs, and how to build our callback URLs."""

    settings: Settings
    dial_action_url: Callable[[str], str]

    def say(self, response: VoiceResponse, text: str) -> Say:
        """Speak calm en-GB text."""
        return response.say(
            text, voice=self.settings.voice.voice, language=self.settings.voice.language
        )

    def say_number(self, response: VoiceResponse, before: str, line: Line, after: str = "") -> None:
        """Speak a sentence with a phone number read digit by digit."""
        say = self.say(response, before)
        say.say_as(line.national, interpret_as="telephone")
        if after:
            say.append(after)

    def dial(self, response: VoiceResponse, line: Line, caller: Caller | None) -> Dial:
        """Connect the caller to a line, showing their own number when we know it."""
        dial = Dial(
            action=self.dial_action_url(line.key),
            method="POST",
            timeout=self.settings.voice.ring_timeout,
            answer_on_bridge=True,
            caller_id=caller.number if caller and caller.number else None,
        )
        dial.number(line.number)
        response.append(dial)
        return dial


def answer(script: Script, decision: RouteDecision, caller: Caller) -> VoiceResponse:
    """Greet the caller, remind them of 999, and connect them to the right line."""
    response = greeting(script)
    calendar = script.settings.calendar
    if decision.open:
        script.say(response, "Connecting you to the Harmony team now. Please hold.")
        script.dial(response, calendar.in_hours, caller)
        return response
    script.say(
        response,
        f"The Harmony team is available {describe_hours(calendar)}, except bank holidays. "
        "They are closed right now, so we will connect you to Victim Support's free support "
        "line, which is open 24 hours a day.",
    )
    script.dial(response, calendar.out_of_hours, caller)
    return response


def greeting(script: Script) -> VoiceResponse:
    """Return the opening words every caller hears first."""
    response = VoiceResponse()
    script.say(
        response,
        f"Thank you for calling {script.settings.spoken_name}, delivered by "
        f"{script.settings.provider}. This call is confidential.",
    )
    script.say(response, "If you are in immediate danger, please hang up and dial 999.")
    return response


def after_dial(script: Script, line_key: str, dial_status: str, caller: Caller) -> VoiceResponse:
    """Decide what happens when a dialled line answers, or does not."""
    response = VoiceResponse()
    calendar = script.settings.calendar
    if dial_status in CONNECTED or dial_status not in UNANSWERED:
        # Connected and finished, or the caller hung up: nothing more to say.
        response.hangup()
        return response
    if line_key == calendar.in_hours.key:
        script.say(
            response,
            "Sorry, the Harmony team cannot take your call right now. We will connect you to "
            "Victim Support's free support line, which is open 24 hours a day.",
        )
        script.dial(response, calendar.out_of_hours, caller)
        return response
    return unable_to_connect(script, response)


def unable_to_connect(script: Script, response: VoiceResponse | None = None) -> VoiceResponse:
    """Tell the caller which numbers to ring when no line could be reached, then hang up."""
    response = response or VoiceResponse()
    calendar = script.settings.calendar
    script.say(response, "Sorry, we could not connect your call.")
    script.say_number(
        response,
        "You can call Victim Support's free support line at any time on",
        calendar.out_of_hours,
    )
    script.say_number(
        response, "or the Harmony team on", calendar.in_hours, f", {describe_hours(calendar)}."
    )
    script.say(response, "If you are in immediate danger, hang up and dial 999. Goodbye.")
    response.hangup()
    return response


def last_resort(script: Script) -> VoiceResponse:
    """Answer when something inside the service failed: connect to the 24/7 line regardless."""
    response = VoiceResponse()
    script.say(
        response, "Thank you for calling. If you are in immediate danger, hang up and dial 999."
    )
    script.say(response, "Connecting you to Victim Support's free support line now.")
    script.dial(response, script.settings.calendar.out_of_hours, None)
    return response
