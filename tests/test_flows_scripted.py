"""Every scripted call in ivr_flows/tests/ passes, on both databases, and covers the flow."""

from __future__ import annotations

import pytest
from flask import Flask

from helpline.flows import scripted
from helpline.routing import as_local
from helpline.simulate import CallSimulator
from tests.flow_helpers import ROOT
from tests.twilio_client import TEST_AUTH_TOKEN

FILES = sorted((ROOT / "ivr_flows" / "tests").glob("*.yaml"))
CALLS = [call for path in FILES for call in scripted.load_calls(path)]


def play(app: Flask, call: scripted.ScriptedCall) -> scripted.Result:
    """Play one scripted call through the app's real webhooks."""
    calendar = app.extensions["helpline.settings"].calendar
    return scripted.run(CallSimulator(app, TEST_AUTH_TOKEN), call, as_local(call.at, calendar))


@pytest.mark.parametrize("call", CALLS, ids=[call.name for call in CALLS])
def test_scripted_call(app: Flask, call: scripted.ScriptedCall) -> None:
    """The call hears, dials and stores what its script expects; every TwiML reply is valid."""
    result = play(app, call)
    assert result.failures == [], result.transcript.text()


def test_scripted_calls_cover_every_state_and_transition(app: Flask) -> None:
    """Together the scripted calls go through every state and transition of harmony.yaml."""
    paths = [play(app, call).transcript.stored["ivr_path"] for call in CALLS]
    assert scripted.uncovered(app.extensions["helpline.flows"], paths) == []


def test_uncovered_transitions_are_reported(app: Flask) -> None:
    """With only one call, the report names what is not yet covered."""
    missing = scripted.uncovered(app.extensions["helpline.flows"], [["greeting", "hours:open"]])
    assert "state menu" in missing and "transition hours.closed" in missing
    assert "transition greeting.next" not in missing
