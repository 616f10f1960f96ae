"""The dialled line in a simulated call: its own call's progress, and who answers its screening."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Protocol
from xml.etree import ElementTree

from helpline.calls.legs import DECISIONS
from helpline.dial_status import DialStatus
from helpline.flows import twiml_check

# What the line may do: answered by a person (who accepts any screening), a machine, someone who
# declines, or not answered at all. "completed" is kept as a person answering, as before.
ANSWERED = frozenset({DialStatus.COMPLETED.value, "person", "machine", "declined"})
NOT_ANSWERED = (DialStatus.NO_ANSWER, DialStatus.BUSY, DialStatus.FAILED, DialStatus.CANCELED)
OUTCOMES = ("completed", "person", "machine", "declined", *(s.value for s in NOT_ANSWERED))
# The key each kind of answerer presses at a screening prompt: a voicemail presses none.
SCREEN_KEYS = {DialStatus.COMPLETED: "1", "person": "1", "declined": "2", "machine": ""}


class Heard(Protocol):
    """The part of a transcript the line writes to."""

    problems: list[str]
    line_heard: list[str]

    def say(self, text: str) -> None:
        """Add a line to the readable transcript."""


Post = Callable[[str, dict[str, str], "Heard | None"], "str | None"]


@dataclass
class SimulatedLine:
    """Rings one <Number>, as Twilio would, posting its events to the URLs our TwiML gave."""

    post: Post
    at: datetime

    def ring(
        self, number: ElementTree.Element, parent: dict[str, str], outcome: str, t: Heard
    ) -> dict[str, str]:
        """Play the line's call; return what Twilio then posts to the <Dial> action."""
        sid = "CA" + uuid.uuid4().hex
        leg = leg_params(parent, sid, (number.text or "").strip())
        answered = outcome in ANSWERED
        steps = ["initiated", "ringing", *(["in-progress"] if answered else [])]
        for sequence, status in enumerate(steps):
            self._progress(number, leg, status, sequence)
        bridged = answered
        if answered and number.get("url"):
            bridged = self._screen(number.get("url", ""), leg, outcome, t)
        self._progress(number, leg, DialStatus.COMPLETED if answered else outcome, len(steps))
        talk = "120" if bridged else ("6" if answered else "0")
        return {
            "DialCallStatus": DialStatus.COMPLETED if answered else outcome,
            "DialCallSid": sid,
            "DialCallDuration": talk,
            "DialBridged": str(bridged).lower(),
        }

    def _progress(
        self, number: ElementTree.Element, leg: dict[str, str], status: str, sequence: int
    ) -> None:
        """Post one progress event of the line's call to its statusCallback, if any."""
        url = number.get("statusCallback")
        if not url:
            return
        moment = (self.at + timedelta(seconds=2 + 3 * sequence)).astimezone(UTC)
        params = leg | {
            "CallStatus": status,
            "SequenceNumber": str(sequence),
            "CallbackSource": "call-progress-events",
            "Timestamp": format_datetime(moment),
        }
        self.post(url, params, None)

    def _screen(self, url: str, leg: dict[str, str], outcome: str, t: Heard) -> bool:
        """Fetch the screening prompt; the answerer presses their key; True if connected."""
        document = self.post(url, leg, t)
        if document is None:
            return False
        t.problems += twiml_check.problems(document, screening=True)
        for verb in ElementTree.fromstring(document):  # noqa: S314 - our own app's output
            if verb.tag == "Hangup":
                return False
            if verb.tag == "Gather":
                return self._answer(verb, leg, outcome, t)
        return True

    def _answer(
        self, gather: ElementTree.Element, leg: dict[str, str], outcome: str, t: Heard
    ) -> bool:
        """Hear the prompt, press the answerer's key, and see whether the call connects."""
        words = " ".join(" ".join(gather.itertext()).split())
        t.line_heard.append(words)
        key = SCREEN_KEYS[outcome]
        t.say(f"  the line hears: {words}")
        t.say(f"  the line presses {key}" if key else "  (the line presses nothing)")
        reply = self.post(gather.get("action", ""), leg | {"Digits": key}, t)
        if reply is None:
            return False
        t.problems += twiml_check.problems(reply, screening=True)
        return ElementTree.fromstring(reply).find("Hangup") is None  # noqa: S314


def leg_params(parent: dict[str, str], sid: str, to: str) -> dict[str, str]:
    """Return the fields Twilio sends with every webhook of a dialled line's call."""
    return {
        "AccountSid": parent["AccountSid"],
        "ApiVersion": parent["ApiVersion"],
        "CallSid": sid,
        "ParentCallSid": parent["CallSid"],
        "CallStatus": "in-progress",
        "Direction": "outbound-dial",
        "From": parent.get("From", ""),
        "To": to,
        "Called": to,
    }


ANSWERED_BY_WORDS = {
    "person": "answered by a person",
    "machine_or_declined": "answered by a machine or declined",
    "no_answer": "not answered",
}
SCREENING_WORDS = {
    "accepted": "pressed the key to accept",
    "declined": "pressed another key",
    "no_key": "no key pressed, as an answering machine or voicemail does",
    "machine": "Twilio detected a machine",
    "ended": "hung up at the screening prompt",
}


def describe_answer(info: dict[str, Any]) -> str:
    """Return who answered a line, in words, with what they did at the screening prompt."""
    answered_by = info.get("answered_by") or DECISIONS.get(info.get("screening") or "", "")
    words = ANSWERED_BY_WORDS.get(answered_by, answered_by)
    screening = SCREENING_WORDS.get(info.get("screening") or "")
    return f"{words} ({screening})" if screening else words
