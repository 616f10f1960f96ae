"""The flow checker: every kind of mistake is refused, naming the file, state and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpline import create_app
from helpline.flows.cli import flows_cli
from tests.conftest import environment
from tests.flow_helpers import ROOT, problems_in
from tests.test_flows_interpreter import SCREENED

GOOD = """
    initial: hello
    states:
      hello:
        type: say
        say: Hello from {service}.
        next: bye
      bye:
        type: hangup
"""


def test_default_flow_is_valid(tmp_path: Path) -> None:
    """The shipped harmony.yaml passes every check."""
    text = (ROOT / "ivr_flows" / "harmony.yaml").read_text()
    assert problems_in(tmp_path, harmony=text) == []


def test_good_flow_has_no_problems(tmp_path: Path) -> None:
    """A small, complete flow is accepted."""
    assert problems_in(tmp_path, small=GOOD) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("type: say", "type: sing"), "state 'hello': unknown step type 'sing'"),
        (
            ("say: Hello", "volume: 11\n        say: Hello"),
            "state 'hello': unknown property 'volume' for a say",
        ),
        (("next: bye", "next: byee"), "state 'hello': next: leads to a missing state 'byee'"),
        (("next: bye", "next: hello"), "state 'hello': loops back without waiting for the caller"),
        (
            ("{service}", "{servise}"),
            "state 'hello': say: prompt has an unknown placeholder {servise}",
        ),
        (("{service}", "{number:nowhere}"), "no such line is configured"),
        (("Hello from", "x" * 4100), "longer than Twilio's 4,096 characters"),
        (("initial: hello", "initial: start"), "flow: initial state 'start' is missing"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    """Each mistake produces a problem naming the file, the state and what is wrong."""
    found = problems_in(tmp_path, small=GOOD.replace(*change))
    assert any(expected in problem for problem in found), found
    assert all(problem.startswith(str(tmp_path / "small.yaml")) for problem in found)


def test_unreachable_state(tmp_path: Path) -> None:
    """A state nothing leads to is refused."""
    text = GOOD + "      lost:\n        type: hangup\n"
    assert problems_in(tmp_path, small=text) == [
        f"{tmp_path / 'small.yaml'}: state 'lost': unreachable: no transition leads here"
    ]


DEAD_ENDS = """
    initial: menu
    states:
      menu:
        type: menu
        say: Press 1.
        choices: {1: talk}
      talk:
        type: say
        say: Hello.
"""
UNCONFIGURED_DIAL = """
    initial: ring
    states:
      ring:
        type: dial
        line: pizza
        no_answer: bye
      bye:
        type: hangup
"""
GOTO_NOWHERE = "initial: jump\nstates:\n  jump:\n    type: goto\n    flow: nowhere\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A say with no way out, and a menu that says nothing about silence, are dead ends.
        pytest.param(DEAD_ENDS, ["state 'menu': dead end: a menu needs a 'no_input'",
                                 "state 'talk': dead end: a say needs a 'next'"], id="dead-ends"),
        # A dial names a configured line and has somewhere to go if nobody answers.
        pytest.param(UNCONFIGURED_DIAL, ["line 'pizza' is not in the config",
                                         "none for busy, failed"], id="dial"),
        # A goto to a flow that does not exist is refused.
        pytest.param(GOTO_NOWHERE, ["there is no flow 'nowhere'"], id="goto"),
    ],
)  # fmt: skip
def test_whole_flow_mistakes_are_named(tmp_path: Path, text: str, expected: list[str]) -> None:
    """Each mistake in a flow's shape is among the problems found."""
    found = problems_in(tmp_path, small=text)
    for problem in expected:
        assert any(problem in p for p in found), (problem, found)


def test_unreadable_yaml(tmp_path: Path) -> None:
    """A file that is not YAML is named."""
    found = problems_in(tmp_path, small="initial: [unclosed\n")
    assert found and found[0].startswith(f"{tmp_path / 'small.yaml'}: flow: cannot be read")


def test_cli_check_refuses_a_broken_file(tmp_path: Path) -> None:
    """`helpline flows check FILE` lists the problems and exits 1."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(GOOD.replace("next: bye", "next: byee").replace("\n    ", "\n"))
    result = CliRunner().invoke(flows_cli, ["check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: state 'hello': next: leads to a missing state 'byee'" in result.output


def test_cli_check_passes_the_shipped_flows() -> None:
    """`helpline flows check` accepts ivr_flows/."""
    result = CliRunner().invoke(flows_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


def test_service_refuses_to_start_with_an_invalid_flow(database_url: str, tmp_path: Path) -> None:
    """Start-up stops with one line naming the file, the state and the problem."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "harmony.yaml").write_text(
        (ROOT / "ivr_flows" / "harmony.yaml").read_text().replace("next: hours", "next: hourz")
    )
    config = tmp_path / "helpline.toml"
    config.write_text(
        (ROOT / "config" / "helpline.toml")
        .read_text()
        .replace('directory = "../ivr_flows"', f'directory = "{folder}"')
    )
    with pytest.raises(SystemExit) as stopped:
        create_app(
            environment(database_url, HELPLINE_CONFIG=str(config)), instance_path=str(tmp_path)
        )
    message = str(stopped.value)
    assert message.startswith(f"helpline: flow error: {folder / 'harmony.yaml'}: state 'greeting'")
    assert "missing state 'hourz'" in message and "\n" not in message


def test_screening_is_checked(tmp_path: Path) -> None:
    """A screened dial is valid; its key is one digit, its timeout a few seconds."""
    assert problems_in(tmp_path, small=SCREENED) == []
    bad = SCREENED.replace("unanswered: bye", "screening_key: '12'\n        unanswered: bye")
    assert any("screening_key: must be one digit" in p for p in problems_in(tmp_path, small=bad))
    slow = SCREENED.replace("unanswered: bye", "screening_timeout: 60\n        unanswered: bye")
    found = problems_in(tmp_path / "slow", small=slow)
    assert any("screening_timeout: must be between 2 and 15" in p for p in found)
    typo = SCREENED.replace("Helpline call", "Call for {servise}")
    found = problems_in(tmp_path / "typo", small=typo)
    assert any("screening: prompt has an unknown placeholder" in p for p in found)


def test_declined_needs_screening(tmp_path: Path) -> None:
    """Only a screened line can be declined: the way out would never be taken otherwise."""
    text = SCREENED.replace("        screening: Helpline call. Press 1.\n", "")
    text = text.replace("unanswered: bye", "unanswered: bye\n        declined: bye")
    found = problems_in(tmp_path, small=text)
    assert any("declined: only a dial with 'screening' words uses it" in p for p in found)
