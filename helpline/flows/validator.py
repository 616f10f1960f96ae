"""Check loaded flows: every way out leads somewhere, every state is reachable, no silence."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from helpline.flows.model import (
    DIAL_DECLINED,
    DIAL_UNANSWERED,
    HOURS_OUTCOMES,
    STEP_TYPES,
    Flow,
    FlowProblem,
    Step,
)
from helpline.flows.prompts import Prompts

Node = tuple[str, str]
TEXTS = ("say", "retry_say", "invalid_say", "ask_safe", "ask_message", "ask_number")
TEXTS_MORE = ("invalid_number", "screening")
LIMITS = {"attempts": (1, 5), "timeout": (1, 30), "max_length": (5, 3600)}
# Seconds the answering party has to accept a screened call: long enough to hear and press.
LIMITS |= {"screening_timeout": (2, 15)}
# Ways out that Twilio takes without calling us back, so they are rendered in the same reply.
INLINE = {
    "say": ("next",), "hours": None, "caller": None, "menu": ("no_input",),
    "voicemail": ("no_message", "recorded"), "callback": ("declined", "failed"),
}  # fmt: skip


def validate(flows: Mapping[str, Flow], prompts: Prompts) -> list[FlowProblem]:
    """Return every problem with the flows, each naming the file, the state and the problem."""
    problems: list[FlowProblem] = []
    for flow in flows.values():
        if flow.initial not in flow.states:
            problems.append(
                FlowProblem(flow.source, None, f"initial state {flow.initial!r} is missing")
            )
        for step in flow.states.values():
            problems += [
                FlowProblem(flow.source, step.name, p) for p in step_problems(step, flows, prompts)
            ]
    # A mistyped state name would make everything after it "unreachable": report the typo alone.
    broken = {p.source for p in problems if "leads to a missing state" in p.problem}
    problems += [p for p in _unreachable(flows) if p.source not in broken]
    problems += _silent_loops(flows)
    return problems


def step_problems(step: Step, flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """Yield what is wrong with one step on its own."""
    states = flows[step.flow].states
    for event, target in step.transitions.items():
        if target not in states:
            yield f"{event}: leads to a missing state {target!r}"
    for event in STEP_TYPES[step.type].required:
        if event not in step.transitions:
            yield f"dead end: a {step.type} needs a {event!r} transition" + (
                " (what happens when the caller presses nothing)" if event == "no_input" else ""
            )
    for key in (*TEXTS, *TEXTS_MORE):
        if isinstance(step.prop(key), str):
            yield from (f"{key}: {p}" for p in prompts.problems(step.prop(key)))
    for key, (low, high) in LIMITS.items():
        value = step.prop(key)
        if value is not None and not low <= value <= high:
            yield f"{key}: must be between {low} and {high}"
    yield from _TYPE_CHECKS.get(step.type, lambda _s, _f, _p: iter(()))(step, flows, prompts)


def _say_checks(step: Step, _flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """A say (and a menu) must say or play something."""
    if not step.prop("say") and not step.prop("audio"):
        yield f"a {step.type} needs 'say' words or an 'audio' URL"
    if step.prop("say") and step.prop("audio"):
        yield "give either 'say' or 'audio', not both"


def _menu_checks(step: Step, flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """A menu's spoken words must belong to its choices."""
    yield from _say_checks(step, flows, prompts)
    for key in step.prop("words", {}):
        if str(key) not in step.transitions:
            yield f"words: {key!r} is not one of the menu's choices"


def _hours_checks(step: Step, _flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """Every closed reason needs somewhere to go."""
    missing = [o for o in HOURS_OUTCOMES if o not in step.transitions]
    if "closed" not in step.transitions and missing:
        yield f"dead end: no 'closed' transition, and none for {', '.join(missing)}"


def _dial_checks(step: Step, _flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """A dial names a configured line and says what happens if it does not answer."""
    line = step.prop("line")
    if line not in prompts.lines:
        yield f"line {line!r} is not in the config (known: {', '.join(sorted(prompts.lines))})"
    missing = [o for o in DIAL_UNANSWERED if o not in step.transitions]
    if missing and "unanswered" not in step.transitions:
        yield f"dead end: no 'unanswered' transition, and none for {', '.join(missing)}"
    yield from _screening_checks(step)


def _screening_checks(step: Step) -> Iterator[str]:
    """Screening needs its words; its key is one digit; 'declined' happens only when screened."""
    if not step.prop("screening"):
        for key in ("screening_key", "screening_timeout", DIAL_DECLINED):
            if step.prop(key) is not None or key in step.transitions:
                yield f"{key}: only a dial with 'screening' words uses it"
        return
    key = step.prop("screening_key", "1")
    if len(key) != 1 or key not in "0123456789":
        yield f"screening_key: must be one digit, got {key!r}"


def _goto_checks(step: Step, flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """A goto names an existing flow (and state)."""
    target = flows.get(step.prop("flow", ""))
    if target is None:
        yield f"goto: there is no flow {step.prop('flow')!r}"
    elif step.prop("state") and step.prop("state") not in target.states:
        yield f"goto: flow {target.name!r} has no state {step.prop('state')!r}"


_TYPE_CHECKS = {
    "say": _say_checks, "menu": _menu_checks, "hours": _hours_checks,
    "dial": _dial_checks, "goto": _goto_checks, "voicemail": _say_checks,
}  # fmt: skip


def edges(step: Step, flows: Mapping[str, Flow], inline_only: bool = False) -> Iterator[Node]:
    """Yield the states a step can lead to (only those rendered in the same reply, if asked)."""
    if step.type == "goto":
        target = flows.get(step.prop("flow", ""))
        if target is not None:
            yield target.name, step.prop("state") or target.initial
        return
    events = INLINE.get(step.type, ()) if inline_only else None
    for event, state in step.transitions.items():
        if events is None or event in events:
            yield step.flow, state


def _unreachable(flows: Mapping[str, Flow]) -> Iterator[FlowProblem]:
    """Yield a problem for every state no path from a flow's start reaches."""
    seen: set[Node] = set()
    todo = [(flow.name, flow.initial) for flow in flows.values()]
    while todo:
        node = todo.pop()
        step = flows[node[0]].states.get(node[1]) if node[0] in flows else None
        if node in seen or step is None:
            continue
        seen.add(node)
        todo.extend(edges(step, flows))
    for flow in flows.values():
        for name in flow.states:
            if (flow.name, name) not in seen:
                yield FlowProblem(flow.source, name, "unreachable: no transition leads here")


def _silent_loops(flows: Mapping[str, Flow]) -> Iterator[FlowProblem]:
    """Yield a problem for each loop that would repeat without waiting for the caller."""
    done: set[Node] = set()
    for flow in flows.values():
        for name in flow.states:
            loop = _find_loop((flow.name, name), flows, [], done)
            if loop:
                path = " -> ".join(state for _flow, state in loop)
                yield FlowProblem(
                    flows[loop[0][0]].source, loop[0][1],
                    f"loops back without waiting for the caller ({path}); use a menu's attempts",
                )  # fmt: skip


def _find_loop(
    node: Node, flows: Mapping[str, Flow], stack: list[Node], done: set[Node]
) -> list[Node]:
    """Depth-first search over same-reply transitions; return the loop found, if any."""
    if node in stack:
        return [*stack[stack.index(node) :], node]
    step = flows[node[0]].states.get(node[1]) if node[0] in flows else None
    if node in done or step is None:
        return []
    stack.append(node)
    for following in edges(step, flows, inline_only=True):
        loop = _find_loop(following, flows, stack, done)
        if loop:
            stack.pop()
            done.add(node)
            return loop
    stack.pop()
    done.add(node)
    return []
