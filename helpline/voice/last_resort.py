"""The answer when even the call flow failed: config numbers only, nothing that can break."""

from __future__ import annotations

from twilio.twiml.voice_response import Dial, VoiceResponse

from helpline.config import Settings


def last_resort(settings: Settings, dial_action: str | None = None) -> VoiceResponse:
    """Remind the caller of 999 and connect them to the 24/7 line, whatever else is broken."""
    voice, line = settings.voice, settings.calendar.always_open
    response = VoiceResponse()
    response.say(
        "Thank you for calling. If you are in immediate danger, hang up and dial 999. "
        f"Connecting you to the {line.name} now.",
        voice=voice.voice,
        language=voice.language,
    )
    # Built here rather than by the flow: this must work when the flow itself is what failed.
    method = "POST" if dial_action else None
    dial = Dial(
        action=dial_action, method=method, timeout=voice.ring_timeout, answer_on_bridge=True
    )
    dial.number(line.number)
    response.append(dial)
    return response
