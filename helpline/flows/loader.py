"""Read flow files (YAML) into immutable Flow objects, collecting every problem found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from helpline.flows.kinds import KINDS
from helpline.flows.model import NAME, Flow, FlowProblem, Step

FLOW_KEYS = frozenset({"initial", "states", "description"})


def flow_files(directory: Path) -> list[Path]:
    """Return the flow files in a directory, in a stable order."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_flows(paths: Iterable[Path]) -> tuple[dict[str, Flow], list[FlowProblem]]:
    """Load each file as a flow named after the file; return the flows and the problems."""
    flows: dict[str, Flow] = {}
    problems: list[FlowProblem] = []
    for path in paths:
        flow = load_flow(path, problems)
        if flow is not None:
            flows[flow.name] = flow
    return flows, problems


def load_flow(path: Path, problems: list[FlowProblem]) -> Flow | None:
    """Parse one file; append its problems and return None if it cannot be read at all."""
    source = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(FlowProblem(source, None, f"cannot be read: {first_line(error)}"))
        return None
    if not NAME.match(path.stem):
        problems.append(FlowProblem(source, None, "file name must be lower_case letters/digits"))
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("states"), Mapping):
        problems.append(FlowProblem(source, None, "must be a mapping with 'initial' and 'states'"))
        return None
    for key in sorted(set(map(str, raw)) - FLOW_KEYS):
        problems.append(FlowProblem(source, None, f"unknown key {key!r}"))
    states = _states(source, raw["states"], problems)
    initial = str(raw.get("initial", ""))
    return Flow(path.stem, source, initial, MappingProxyType(states))


def _states(source: str, raw: Mapping[Any, Any], problems: list[FlowProblem]) -> dict[str, Step]:
    """Parse every state of a flow, skipping the ones too broken to use."""
    states: dict[str, Step] = {}
    for name, body in raw.items():
        step = _step(source, path_stem(source), str(name), body, problems)
        if step is not None:
            states[step.name] = step
    return states


def path_stem(source: str) -> str:
    """Return the flow name for a file path."""
    return Path(source).stem


def _step(source: str, flow: str, name: str, body: Any, problems: list[FlowProblem]) -> Step | None:
    """Parse one state: split its keys into properties and transitions, checking each."""
    if not NAME.match(name):
        problems.append(FlowProblem(source, name, "state names are lower_case letters/digits"))
        return None
    if not isinstance(body, Mapping) or body.get("type") not in KINDS:
        kind = body.get("type") if isinstance(body, Mapping) else None
        problems.append(FlowProblem(source, name, f"unknown step type {kind!r}"))
        return None
    kind = str(body["type"])
    properties, transitions = _split(source, name, kind, body, problems)
    choices = KINDS[kind].choices
    if choices is not None:
        found, wrong = choices(properties)
        problems += [FlowProblem(source, name, problem) for problem in wrong]
        for key, target in found.items():
            _transition(source, name, key, target, transitions, problems)
    return Step(flow, name, kind, MappingProxyType(properties), MappingProxyType(transitions))


def _split(
    source: str, name: str, kind: str, body: Mapping[Any, Any], problems: list[FlowProblem]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sort a state's keys into properties and transitions, refusing unknown ones."""
    allowed = KINDS[kind]
    properties: dict[str, Any] = {}
    transitions: dict[str, str] = {}
    for key, value in body.items():
        key = str(key)
        if key == "type":
            continue
        if allowed.allows(key):
            _transition(source, name, key, value, transitions, problems)
        elif key in allowed.properties:
            _property(source, name, key, value, allowed.properties[key], properties, problems)
        else:
            problems.append(FlowProblem(source, name, f"unknown property {key!r} for a {kind}"))
    return properties, transitions


def _transition(
    source: str,
    state: str,
    key: str,
    value: Any,
    into: dict[str, str],
    problems: list[FlowProblem],
) -> None:
    """Record a transition, which must name a state."""
    if isinstance(value, str) and NAME.match(value):
        into[key] = value
    else:
        problems.append(FlowProblem(source, state, f"{key}: must name a state, got {value!r}"))


def _property(
    source: str,
    state: str,
    key: str,
    value: Any,
    expected: type | tuple[type, ...],
    into: dict[str, Any],
    problems: list[FlowProblem],
) -> None:
    """Record a property after checking its type (a YAML true is not a number)."""
    wrong_bool = isinstance(value, bool) and expected is not bool
    if not isinstance(value, expected) or wrong_bool:
        problems.append(FlowProblem(source, state, f"{key}: has the wrong type ({value!r})"))
        return
    if isinstance(value, dict):
        value = MappingProxyType({str(k): _frozen(v) for k, v in value.items()})
    into[key] = value


def _frozen(value: Any) -> Any:
    """Return lists as tuples, so loaded flows cannot be changed."""
    return tuple(value) if isinstance(value, list) else value


def first_line(error: Exception) -> str:
    """Return the first line of an error message."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
