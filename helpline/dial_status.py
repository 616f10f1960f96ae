"""How a <Dial> ended, as Twilio spells it in DialCallStatus: the one list of outcomes. Pure."""

from __future__ import annotations

from enum import StrEnum


class DialStatus(StrEnum):
    """Twilio's DialCallStatus values (its CallStatus uses the same words for a call's end)."""

    COMPLETED = "completed"
    ANSWERED = "answered"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"  # the caller hung up while the line rang


# Someone (or something, if unscreened) picked up the dialled line.
CONNECTED = frozenset({DialStatus.COMPLETED, DialStatus.ANSWERED})
# The line never picked up, and the caller is still with us and needs somewhere to go.
UNANSWERED = frozenset({DialStatus.NO_ANSWER, DialStatus.BUSY, DialStatus.FAILED})
