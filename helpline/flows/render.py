"""One reply to Twilio in the making: what the call is, what came in, and the TwiML so far. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from twilio.twiml.voice_response import VoiceResponse

from helpline.config import Calendar
from helpline.flows.model import FlowSet, Step
from helpline.flows.prompts import Prompts
from helpline.phones import Caller
from helpline.routing import RouteDecision

TRAIL_ENTRY = re.compile(r"^[a-z0-9_/:*#]{1,90}$")
# (flow, state, hook, query) -> absolute callback URL; hooks: gather, dial, record, recording,
# and for a dialled line's own call: screen, screened (the screening prompt) and leg (progress).
CallbackURL = Callable[[str, str, str, Mapping[str, str]], str]


@dataclass(frozen=True)
class CallContext:
    """What the interpreter may know about the call in progress."""

    decision: RouteDecision
    caller: Caller
    now: datetime
    calendar: Calendar
    url: CallbackURL
    # Asked only when a caller step is reached; must answer fast ("known" or "new").
    caller_kind: Callable[[], str] = lambda: "new"
    # Unique per reply, so a second visit to a menu is not mistaken for Twilio retrying the first.
    visit: str = ""
    # False for the fallback: a screening prompt needs this service to answer its webhook.
    screening: bool = True


@dataclass(frozen=True)
class CallbackConsent:
    """A callback the caller asked for, with the consent they gave."""

    number: str
    safe_to_call: bool
    may_leave_message: bool
    due_at: datetime


@dataclass(frozen=True)
class Input:
    """What Twilio told a callback URL: keys, speech, dial or recording outcome, our query."""

    digits: str = ""
    speech: str = ""
    confidence: float = 0.0
    dial_status: str = ""
    dial_bridged: str = ""  # Twilio's DialBridged: "false" if answered but never connected
    recording_sid: str = ""
    recording_seconds: int = 0
    query: Mapping[str, str] = field(default_factory=dict)

    def number(self, key: str, default: int) -> int:
        """Return a whole number from our own query string, or the default."""
        value = self.query.get(key, "")
        return int(value) if value.isdigit() else default


@dataclass(frozen=True)
class Turn:
    """The reply to one webhook: the TwiML, the path to log now, and any callback to store."""

    response: VoiceResponse
    path: tuple[str, ...]
    callback: CallbackConsent | None = None
    # What the reply leaves the caller waiting on: "menu", "line:<line>", "message", or nothing.
    waiting_on: str = ""


class Renderer:
    """Builds one TwiML reply by running steps until the caller has to act."""

    def __init__(self, flows: FlowSet, prompts: Prompts, context: CallContext) -> None:
        self.flows, self.prompts, self.context = flows, prompts, context
        self.response = VoiceResponse()
        self.logged: list[str] = []
        self.pending: list[
            str
        ] = []  # after the first verb that waits: only known if Twilio calls back
        self.waiting = False
        self.waiting_on = ""
        self.callback: CallbackConsent | None = None

    def note(self, step: Step, event: str | None = None) -> None:
        """Add a state (and the event that leaves it) to the caller's path."""
        prefix = "" if step.flow == self.flows.main else f"{step.flow}/"
        entry = f"{prefix}{step.name}" + (f":{event}" if event else "")
        (self.pending if self.waiting else self.logged).append(entry)

    def url(self, step: Step, hook: str, **query: object) -> str:
        """Return a callback URL for a verb that waits, carrying the path not yet logged."""
        values = {key: str(value) for key, value in query.items()}
        if self.context.visit:
            values["v"] = self.context.visit
        if self.pending:
            values["trail"] = "~".join(self.pending)
        if not self.waiting:
            self.waiting_on = _WAITING_ON.get(hook, "").format(line=step.prop("line"))
        self.waiting = True
        return self.context.url(step.flow, step.name, hook, values)

    def go(self, step: Step, event: str, *fallbacks: str) -> Step | None:
        """Note the event that leaves a step and return the step it leads to."""
        self.note(step, event)
        target = step.target(event, *fallbacks)
        if target is None:
            self.response.hangup()
            return None
        return self.flows.step(step.flow, target)

    def turn(self) -> Turn:
        """Return the finished reply."""
        return Turn(self.response, tuple(self.logged), self.callback, self.waiting_on)


# The first verb of a reply that waits decides what the caller is doing until Twilio calls back.
_WAITING_ON = {"gather": "menu", "dial": "line:{line}", "record": "message"}


def trail(text: str) -> list[str]:
    """Return the path entries a callback URL carried, dropping anything malformed."""
    return [entry for entry in text.split("~")[:40] if TRAIL_ENTRY.match(entry)]
