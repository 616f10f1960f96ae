"""What a step kind is: its properties and ways out, its checks, and how it runs. Pure.

Each kind is one StepKind object, defined beside the functions that run it, and listed once in
helpline.flows.kinds.KINDS; the loader, validator, interpreter, scripted tests and webhooks all
read it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from helpline.calls.events import EventKind
from helpline.flows.model import Flow, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Input, Renderer

Enter = Callable[[Renderer, Step], Step | None]
Resume = Callable[[Renderer, Step, Input], Step | None]
Check = Callable[[Step, Mapping[str, Flow], Prompts], Iterator[str]]
# A state's raw properties -> transitions it adds (a menu's choices), and problems found.
Choices = Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]
# (flow, state) pairs a step leads to besides its own transitions (a goto's jump).
Jumps = Callable[[Step, Mapping[str, Flow]], Iterator[tuple[str, str]]]
SAY_PROPERTIES: dict[str, type | tuple[type, ...]] = {"say": str, "audio": str}


def no_checks(_step: Step, _flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """Find nothing wrong: the kind has no checks beyond the common ones."""
    return iter(())


@dataclass(frozen=True)
class StepKind:
    """One kind of step: everything the package needs to load, check, run and log it."""

    name: str
    enter: Enter
    properties: Mapping[str, type | tuple[type, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # ways out every step of this kind must name
    optional: tuple[str, ...] = ()
    # Hook (the last part of the callback URL) -> what continues the call when Twilio calls it.
    resume: Mapping[str, Resume] = field(default_factory=dict)
    checks: Check = no_checks
    # Ways out Twilio takes without calling us back, so rendered in the same reply (None: all).
    inline: tuple[str, ...] | None = ()
    # Event -> the ways out it takes, in turn, when the step has none of the event's own name.
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    event: EventKind = "gather"  # what a resume of this step is logged as
    logged: tuple[str, ...] = ()  # properties copied into the logged route (a dial's line)
    passes: str | None = None  # the way out taken when the path notes the state alone
    choices: Choices | None = None
    jumps: Jumps | None = None

    def allows(self, key: str) -> bool:
        """Return True if a state of this kind may name a way out called key."""
        return key in self.required or key in self.optional
