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
