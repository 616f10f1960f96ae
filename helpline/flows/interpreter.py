"""Run a flow: from (state, event, call context) to the TwiML the caller hears next. Pure."""

from __future__ import annotations

from helpline.flows.kinds import KINDS
from helpline.flows.model import FlowSet, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import CallbackConsent, CallContext, Input, Renderer, Turn, trail

__all__ = ["CallContext", "CallbackConsent", "FlowLoopError", "Input", "Turn", "resume", "start"]

MAX_STEPS = 60  # the validator forbids loops; this guards a flow edited behind its back


class FlowLoopError(RuntimeError):
    """A flow ran too many steps without waiting for the caller."""


def start(flows: FlowSet, prompts: Prompts, context: CallContext) -> Turn:
    """Answer a new call from the main flow's first state."""
    renderer = Renderer(flows, prompts, context)
    run(renderer, flows.start())
    return renderer.turn()


def resume(
    flows: FlowSet,
    prompts: Prompts,
    context: CallContext,
    flow: str,
    state: str,
    hook: str,
    given: Input,
) -> Turn:
    """Continue a call when Twilio calls back for a state; KeyError for unknown ones."""
    step = flows.step(flow, state)
    renderer = Renderer(flows, prompts, context)
    renderer.logged.extend(trail(given.query.get("trail", "")))
    run(renderer, KINDS[step.type].resume[hook](renderer, step, given))
    return renderer.turn()


def run(renderer: Renderer, step: Step | None) -> None:
    """Render steps in turn until one waits for the caller or ends the call."""
    for _ in range(MAX_STEPS):
        if step is None:
            return
        step = KINDS[step.type].enter(renderer, step)
    raise FlowLoopError(f"flow ran {MAX_STEPS} steps without waiting for the caller")
