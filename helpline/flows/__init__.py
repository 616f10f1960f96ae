"""IVR flows as data: load and check the files in ivr_flows/, and run them. Pure."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from helpline.flows import loader, scripted
from helpline.flows.loader import flow_files, load_flows
from helpline.flows.model import Flow, FlowError, FlowProblem, FlowSet, Step
from helpline.flows.prompts import Prompts
from helpline.flows.validator import validate

__all__ = [
    "Flow",
    "FlowError",
    "FlowProblem",
    "FlowSet",
    "Prompts",
    "Step",
    "check",
    "load",
    "loader",
    "scripted",
]


def check(paths: list[Path], prompts: Prompts, main: str | None = None) -> list[FlowProblem]:
    """Return every problem in the given flow files (none means they are safe to use)."""
    flows, problems = load_flows(paths)
    if main is not None and main not in flows and not problems:
        source = str(paths[0].parent if paths else ".")
        problems.append(FlowProblem(source, None, f"the main flow {main!r} has no file"))
    return problems + validate(flows, prompts)


def load(directory: Path, main: str, prompts: Prompts) -> FlowSet:
    """Load and check every flow in a directory; raise FlowError naming each problem."""
    paths = flow_files(directory)
    if not paths:
        raise FlowError([FlowProblem(str(directory), None, "no flow files (*.yaml) found")])
    problems = check(paths, prompts, main)
    if problems:
        raise FlowError(problems)
    flows, _ = load_flows(paths)
    return FlowSet(MappingProxyType(flows), main)
