"""The one helper that turns a VoiceResponse into a Flask response."""

from __future__ import annotations

from flask import Response
from twilio.twiml.voice_response import VoiceResponse


def twiml_response(voice: VoiceResponse, status: int = 200) -> Response:
    """Return TwiML as an XML response Twilio will accept."""
    return Response(str(voice), status=status, mimetype="text/xml")
