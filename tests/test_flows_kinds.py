"""A step kind is one StepKind in one table: adding one there is all the package needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.etree import ElementTree

import pytest

from helpline import flows
from helpline.flows import kinds
from helpline.flows.interpreter import start
from helpline.flows.kind import StepKind
from helpline.flows.model import Flow, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Renderer
from tests.flow_helpers import context, problems_in, prompts, write_flows

FLOW = """
    initial: pause
    states:
      pause:
        type: pause
        seconds: {seconds}
        next: bye
      bye:
        type: hangup
        say: Goodbye.
"""


def enter_pause(r: Renderer, step: Step) -> Step | None:
    """Stay silent for a while, then move on."""
    r.response.pause(length=step.prop("seconds"))
    return r.go(step, "next")


def pause_checks(step: Step, _flows: Mapping[str, Flow], _prompts: Prompts) -> Iterator[str]:
    """A pause is short."""
    if step.prop("seconds") > 10:
        yield "seconds: a caller should not wait in silence that long"


PAUSE = StepKind(
    "pause",
    enter_pause,
    {"seconds": int},
    required=("next",),
    checks=pause_checks,
    inline=("next",),
    passes="next",
)


@pytest.fixture(autouse=True)
def pause_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the new kind in the one table, for this test only."""
    monkeypatch.setitem(kinds.KINDS, "pause", PAUSE)  # type: ignore[arg-type]


def test_a_kind_in_the_table_is_loaded_and_run(tmp_path: Path) -> None:
    """The loader accepts the kind's properties and the interpreter enters it."""
    folder = write_flows(tmp_path / "flows", main=FLOW.format(seconds=2))
    flowset = flows.load(folder, "main", prompts())
    reply = str(start(flowset, prompts(), context()).response)
    document = ElementTree.fromstring(reply)  # noqa: S314 - our own output
    assert [child.tag for child in document] == ["Pause", "Say", "Hangup"]


def test_a_kind_in_the_table_is_checked(tmp_path: Path) -> None:
    """The validator runs the kind's own checks."""
    found = problems_in(tmp_path / "flows", main=FLOW.format(seconds=30))
    assert any("should not wait in silence" in problem for problem in found)
