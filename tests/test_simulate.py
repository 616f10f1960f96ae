"""`helpline simulate` and `helpline flows test`: offline calls through the real webhooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpline.cli import main
from helpline.flows import twiml_check
from tests.flow_helpers import ROOT


def helpline(*args: str) -> Result:
    """Run `helpline ARGS` as the console script does (it hands the tools its app factory)."""
    return CliRunner().invoke(main, list(args))


def test_simulate_in_hours_no_input_reaches_harmony() -> None:
    """The transcript shows the greeting, silence at the menu, and the Harmony line dialled."""
    result = helpline("simulate", "--at", "2026-11-24T10:00", "--from", "+447911123456")
    assert result.exit_code == 0, result.output
    assert "hears: Thank you for calling" in result.output
    assert "(caller presses nothing)" in result.output
    assert "dials +443301757258: completed" in result.output
    assert "Logged against case HAR-2026-00001" in result.output
    assert "path: greeting > hours:open > menu > menu:no_input > connect_harmony" in result.output


def test_simulate_callback_out_of_hours() -> None:
    """Support line fails, the caller asks for a callback; it is shown with its consent."""
    args = ["--at", "2026-11-24T20:00", "--dial-outcome", "no-answer"]
    args += ["--press", "2", "--press", "1", "--press", "2"]
    result = helpline("simulate", *args)
    assert result.exit_code == 0, result.output
    assert "dials +448081689111: no-answer" in result.output
    assert "safe to call yes, may leave a message no" in result.output


def test_simulate_refuses_a_bad_instant() -> None:
    """A time that is not ISO 8601 is a usage error, not a crash."""
    result = helpline("simulate", "--at", "teatime")
    assert result.exit_code == 2 and "not an ISO 8601" in result.output


def test_edited_wording_shows_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing the menu wording in a copy of the flows shows in check and simulate at once."""
    folder = tmp_path / "flows"
    folder.mkdir()
    text = (ROOT / "ivr_flows" / "harmony.yaml").read_text()
    (folder / "harmony.yaml").write_text(text.replace("To hear about mediation", "For mediation"))
    config = tmp_path / "helpline.toml"
    config.write_text(
        (ROOT / "config" / "helpline.toml")
        .read_text()
        .replace('directory = "../ivr_flows"', f'directory = "{folder}"')
    )
    monkeypatch.setenv("HELPLINE_CONFIG", str(config))
    assert helpline("flows", "check").exit_code == 0
    result = helpline("simulate", "--at", "2026-11-24T10:00", "--press", "1")
    assert "For mediation, press 2" in result.output


def test_flows_test_command_passes() -> None:
    """`helpline flows test` plays every scripted call and reports full coverage."""
    result = helpline("flows", "test")
    assert result.exit_code == 0, result.output
    assert "0 failed, 0 not covered" in result.output


def test_twiml_check_finds_what_twilio_refuses() -> None:
    """The replay check refuses unknown verbs, bad nesting, relative actions and long speech."""
    bad = (
        '<Response><Speak>hi</Speak><Gather action="/relative"><Dial/></Gather>'
        f"<Say>{'x' * 4100}</Say></Response>"
    )
    found = twiml_check.problems(bad)
    assert "<Speak> is not allowed inside <Response>" in found
    assert "<Dial> is not allowed inside <Gather>" in found
    assert any("not an absolute URL" in p for p in found)
    assert "<Say> is longer than 4,096 characters" in found
    assert twiml_check.problems("<Response/>") == [
        "empty <Response>: the caller would hear nothing and be cut off"
    ]


def test_simulate_speech_the_menu_does_not_listen_for() -> None:
    """A spoken answer to a keypad-only menu is a wrong choice: the caller hears the menu again."""
    result = helpline(
        "simulate", "--at", "2026-11-24T10:00", "--press", "say:hello", "--press", "1"
    )
    assert result.exit_code == 0, result.output
    assert "caller says: hello" in result.output and "not one of the choices" in result.output


def test_twiml_check_knows_the_number_noun_and_screening_documents() -> None:
    """<Number> may carry screening and progress URLs (absolute); a screening may not dial."""
    good = (
        '<Response><Dial><Number url="https://h.example/s" method="POST" '
        'statusCallback="https://h.example/l" statusCallbackEvent="initiated ringing answered '
        'completed" statusCallbackMethod="POST">+443301757258</Number></Dial></Response>'
    )
    assert twiml_check.problems(good) == []
    bad = good.replace('method="POST"', 'volume="11"').replace("https://h.example/l", "/l")
    found = twiml_check.problems(bad)
    assert "<Number> has an unknown attribute 'volume'" in found
    assert any("statusCallback is not an absolute URL" in p for p in found)
    assert twiml_check.problems("<Number>+44</Number>".join(["<Response>", "</Response>"]))
    assert twiml_check.problems("<Response/>", screening=True) == []
    dialling = "<Response><Dial><Number>+44</Number></Dial></Response>"
    assert "a screening document may not <Dial>" in twiml_check.problems(dialling, screening=True)


def test_simulate_a_machine_answering_the_harmony_line() -> None:
    """The voicemail never presses 1: the caller is offered the support line, as for no answer."""
    outcomes = ["--dial-outcome", "machine", "--dial-outcome", "no-answer"]
    result = helpline("simulate", "--at", "2026-11-24T10:00", *outcomes)
    assert result.exit_code == 0, result.output
    assert "the line hears: Harmony helpline call. Press 1 to accept the call." in result.output
    assert "Sorry, the Harmony team cannot take your call right now" in result.output
    assert "screening at +443301757258: answered by a machine or declined" in result.output
    assert "connect_harmony:declined" in result.output
