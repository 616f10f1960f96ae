"""Check loaded flows: every way out leads somewhere, every state is reachable, no silence."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from helpline.flows.kinds import KINDS
from helpline.flows.model import Flow, FlowProblem, Step
from helpline.flows.prompts import Prompts

Node = tuple[str, str]
TEXTS = ("say", "retry_say", "invalid_say", "ask_safe", "ask_message", "ask_number")
TEXTS_MORE = ("invalid_number", "screening")
LIMITS = {"attempts": (1, 5), "timeout": (1, 30), "max_length": (5, 3600)}
# Seconds the answering party has to accept a screened call: long enough to hear and press.
LIMITS |= {"screening_timeout": (2, 15)}


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
    for event in KINDS[step.type].required:
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
    yield from KINDS[step.type].checks(step, flows, prompts)


def edges(step: Step, flows: Mapping[str, Flow], inline_only: bool = False) -> Iterator[Node]:
    """Yield the states a step can lead to (only those rendered in the same reply, if asked)."""
    kind = KINDS[step.type]
    if kind.jumps is not None:
        yield from kind.jumps(step, flows)
    events = kind.inline if inline_only else None
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
                    flows[loop[0][0]].source,
                    loop[0][1],
                    f"loops back without waiting for the caller ({path}); use a menu's attempts",
                )


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
