"""What a flow is: immutable states with typed steps and named transitions. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Names appear in callback URLs and in the call's IVR path, so keep them plain.
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SAY_LIMIT = 4096  # Twilio refuses <Say> text longer than this
HOURS_OUTCOMES = ("before_opening", "evening", "weekend", "closed_day", "bank_holiday", "closure")
CALLER_KINDS = ("known", "new", "withheld")
DIAL_UNANSWERED = ("no_answer", "busy", "failed")
# A screened line answered by a machine, or by someone who did not accept: as for no answer.
DIAL_DECLINED = "declined"


@dataclass(frozen=True)
class StepType:
    """The properties and transitions one kind of step allows."""

    properties: Mapping[str, type | tuple[type, ...]]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    waits: bool = False  # answers only after the caller acts (a callback URL follows)


PROMPT = {"say": str, "audio": str}
STEP_TYPES: Mapping[str, StepType] = {
    "say": StepType(PROMPT, required=("next",)),
    "menu": StepType(
        PROMPT
        | {"choices": dict, "words": dict, "attempts": int, "timeout": int, "speech": bool}
        | {"retry_say": str, "invalid_say": str},
        required=("no_input",),
        optional=("invalid",),
        waits=True,
    ),
    "hours": StepType({}, required=("open",), optional=("closed", *HOURS_OUTCOMES)),
    "caller": StepType({}, required=CALLER_KINDS),
    "dial": StepType(
        PROMPT | {"line": str, "screening": str, "screening_key": str, "screening_timeout": int},
        optional=("answered", "unanswered", *DIAL_UNANSWERED, DIAL_DECLINED),
        waits=True,
    ),
    "voicemail": StepType(
        PROMPT | {"max_length": int}, required=("recorded",), optional=("no_message",), waits=True
    ),
    "callback": StepType(
        {"ask_safe": str, "ask_message": str, "ask_number": str, "invalid_number": str}
        | {"attempts": int},
        required=("requested", "declined"),
        optional=("failed",),
        waits=True,
    ),
    "goto": StepType({"flow": str, "state": str}),
    "hangup": StepType(PROMPT),
}


@dataclass(frozen=True)
class Step:
    """One state of a flow: its type, its properties and where each event leads."""

    flow: str
    name: str
    type: str
    properties: Mapping[str, Any]
    transitions: Mapping[str, str]

    def prop(self, key: str, default: Any = None) -> Any:
        """Return a property, or the default when the flow leaves it out."""
        return self.properties.get(key, default)

    def target(self, event: str, *fallbacks: str) -> str | None:
        """Return the state an event leads to, trying fallback event names in turn."""
        for name in (event, *fallbacks):
            if name in self.transitions:
                return self.transitions[name]
        return None

    @property
    def waits(self) -> bool:
        """Return True if this step waits for the caller (or the line) before moving on."""
        return STEP_TYPES[self.type].waits


@dataclass(frozen=True)
class Flow:
    """A named state machine loaded from one file."""

    name: str
    source: str
    initial: str
    states: Mapping[str, Step]


@dataclass(frozen=True)
class FlowSet:
    """Every flow the service knows, and which one answers new calls."""

    flows: Mapping[str, Flow]
    main: str

    def step(self, flow: str, state: str) -> Step:
        """Return a step; KeyError if the flow or state is unknown."""
        return self.flows[flow].states[state]

    def start(self, flow: str | None = None) -> Step:
        """Return the initial step of a flow (the main flow by default)."""
        chosen = self.flows[flow or self.main]
        return chosen.states[chosen.initial]


@dataclass(frozen=True)
class FlowProblem:
    """One thing wrong with a flow, naming the file and state."""

    source: str
    state: str | None
    problem: str

    def __str__(self) -> str:
        where = f"state {self.state!r}" if self.state else "flow"
        return f"{self.source}: {where}: {self.problem}"


class FlowError(Exception):
    """Flows that must not be used; carries every problem found."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        super().__init__(str(problems[0]) if problems else "invalid flow")
        self.problems = problems
