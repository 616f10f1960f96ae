"""A third line added in a copied config and flow alone: routing, webhooks, reports, pages follow.

The interpreter line opens on Saturdays, 10:00 to 14:00, bank holidays included. It sits between
the Harmony line and the 24/7 support line in the config, so routing tries it second. No Python
changes: only the TOML and the YAML below.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from helpline import create_app
from helpline.cli import main
from helpline.closures import store
from helpline.db import get_database
from tests.auth_actions import AuthActions
from tests.conftest import ROOT, empty_tables, environment
from tests.twilio_client import TwilioClient, dial_params, dialled_numbers, incoming_params, twiml

LONDON = ZoneInfo("Europe/London")
SATURDAY_11AM = datetime(2026, 11, 28, 11, 0, tzinfo=LONDON)
INTERPRETER_NUMBER = "+443301757259"
CALLER = "+447911123456"

INTERPRETER_LINE = """
[lines.interpreter]
name = "Interpreter line"
number = "0330 1757 259"
open_on_bank_holidays = true

[lines.interpreter.hours]
saturday = "10:00-14:00"

"""
# The hours step sends a call routed to the interpreter line to its own dial step.
HOURS_STEP = """  hours:
    type: hours
    lines:
      interpreter: connect_interpreter
"""
INTERPRETER_STATES = """
  connect_interpreter:
    type: dial
    line: interpreter
    say: The interpreter line is open {hours:interpreter}. Connecting you now.
    unanswered: out_of_hours
"""
INTERPRETER_CALLS = """
  - name: On a Saturday morning the interpreter line answers
    at: "2026-11-28T11:00"
    from: "+447911123456"
    expect:
      hears: ["Saturday, 10am to 2pm"]
      dialled: ["+443301757259"]
      path_includes: ["hours:interpreter", "connect_interpreter:answered"]

  - name: When the interpreter line does not answer, the support line does
    at: "2026-11-28T11:00"
    from: "+447911123456"
    dial: [no-answer]
    expect:
      dialled: ["+443301757259", "+448081689111"]
      path_includes: ["connect_interpreter:no_answer", out_of_hours]
"""


def third_line_config(folder: Path) -> Path:
    """Copy the config and flows into folder, adding the interpreter line to both."""
    flows = folder / "ivr_flows"
    shutil.copytree(ROOT / "ivr_flows", flows)
    flow = flows / "harmony.yaml"
    text = flow.read_text()
    assert "  hours:\n    type: hours\n" in text
    flow.write_text(text.replace("  hours:\n    type: hours\n", HOURS_STEP) + INTERPRETER_STATES)
    scripts = flows / "tests" / "harmony.yaml"
    # The scripted weekend call on a Saturday morning would now meet the interpreter line (and
    # `flows test` says so): it moves to the Sunday.
    weekend = scripts.read_text().replace('at: "2026-11-28T10:00"', 'at: "2026-11-29T10:00"')
    scripts.write_text(weekend + INTERPRETER_CALLS)
    config = (ROOT / "config" / "helpline.toml").read_text()
    config = config.replace("[lines.out_of_hours]", INTERPRETER_LINE + "[lines.out_of_hours]")
    config = config.replace('directory = "../ivr_flows"', f'directory = "{flows}"')
    path = folder / "helpline.toml"
    path.write_text(config)
    return path


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Yield an app whose config and flows have the interpreter line."""
    config = third_line_config(tmp_path)
    env = environment(database_url, HELPLINE_CONFIG=str(config))
    app = create_app(env, instance_path=str(tmp_path), TESTING=True)
    yield app
    app.extensions["helpline.writer"].stop(timeout=None)
    empty_tables(app)
    app.extensions["helpline.db"].dispose()


def route(runner: FlaskCliRunner, at: str) -> dict[str, object]:
    """Return `helpline route --at` for a local time."""
    result = runner.invoke(args=["route", "--at", at])
    assert result.exit_code == 0, result.output
    decision: dict[str, object] = json.loads(result.output)
    return decision


def test_routing_tries_the_lines_in_the_order_the_config_gives(runner: FlaskCliRunner) -> None:
    """Weekday hours: Harmony. Saturday 10-14: the interpreter line. Otherwise: the 24/7 line."""
    assert route(runner, "2026-11-30T10:00")["line"] == "harmony"
    assert route(runner, "2026-11-28T09:59:59") == {
        "open": False, "line": "out_of_hours", "number": "+448081689111", "reason": "weekend",
    }  # fmt: skip
    assert route(runner, "2026-11-28T10:00") == {
        "open": True, "line": "interpreter", "number": INTERPRETER_NUMBER, "reason": "in hours",
    }  # fmt: skip
    assert route(runner, "2026-11-28T13:59:59")["line"] == "interpreter"
    assert route(runner, "2026-11-28T14:00")["line"] == "out_of_hours"
    assert route(runner, "2026-11-29T11:00")["line"] == "out_of_hours"  # Sunday


def test_each_line_keeps_its_own_bank_holidays_and_closures(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """Boxing Day (a Saturday) closes Harmony but not the interpreter line; closures name a line."""
    assert route(runner, "2026-12-26T11:00")["line"] == "interpreter"
    assert (
        route(runner, "2026-12-28T11:00")["reason"] == "bank holiday: Boxing Day (substitute day)"
    )
    with get_database(app).transaction() as session:
        store.add(session, SATURDAY_11AM.replace(hour=10), SATURDAY_11AM.replace(hour=12),
                  "Interpreters' training", "Test Supervisor", "closed", "interpreter")  # fmt: skip
    closed = route(runner, "2026-11-28T11:00")
    assert (closed["line"], closed["reason"]) == ("out_of_hours", "weekend")
    assert route(runner, "2026-11-28T12:00")["line"] == "interpreter"
    assert route(runner, "2026-11-30T11:00")["line"] == "harmony"  # Harmony's hours untouched
    refused = runner.invoke(args=[
        "closures", "add", "--start", "2026-12-01T10:00", "--end", "2026-12-01T11:00",
        "--reason", "x", "--by", "me", "--line", "out_of_hours",
    ])  # fmt: skip
    assert (
        refused.exit_code == 2 and "--line" in refused.output and "Traceback" not in refused.output
    )


def test_a_call_on_saturday_rings_the_interpreter_line(app: Flask, twilio: TwilioClient) -> None:
    """The webhook dials the interpreter line, reads its hours, and falls back to the 24/7 line."""
    answer = twiml(twilio.at(SATURDAY_11AM).post("/voice/incoming", incoming_params("CA3", CALLER)))
    assert dialled_numbers(answer) == [INTERPRETER_NUMBER]
    assert "Saturday, 10am to 2pm" in "".join(answer.itertext())
    action = answer.find("Dial").get("action")  # type: ignore[union-attr]
    assert action and "/voice/flow/harmony/connect_interpreter/dial" in action
    after = twiml(twilio.post(local(action), dial_params("CA3", CALLER, "no-answer")))
    assert dialled_numbers(after) == ["+448081689111"]


def test_reports_and_pages_show_the_third_line(
    twilio: TwilioClient, client: FlaskClient, auth: AuthActions, api_token: Callable[[str], str]
) -> None:
    """The dashboard, CSV, API, calls list and closures page name the interpreter line."""
    answer = twiml(twilio.at(SATURDAY_11AM).post("/voice/incoming", incoming_params("CA4", CALLER)))
    action = answer.find("Dial").get("action")  # type: ignore[union-attr]
    assert action
    twilio.post(local(action), dial_params("CA4", CALLER, "completed", talk=240))
    query = {"since": "2026-11-28", "until": "2026-11-28"}
    headers = {"Authorization": f"Bearer {api_token('supervisor')}"}
    body = client.get("/api/v1/reports/volumes", query_string=query, headers=headers).get_json()
    assert (body["in_hours"], body["outcome_answered_interpreter"]) == (1, 1)
    assert body["in_hours_answer_rate"] == 1.0 and list(body["lines"]) == ["interpreter"]
    auth.login_as("supervisor")
    dashboard = client.get("/reports/", query_string=query).get_data(as_text=True)
    assert "Answered by the Interpreter line" in dashboard
    assert 'data-figure="outcome_answered_interpreter">1<' in dashboard
    figures = client.get("/reports/figures.csv", query_string=query).get_data(as_text=True)
    assert "outcome_answered_interpreter,1" in figures
    calls = client.get("/calls/").get_data(as_text=True)
    assert "Interpreter line" in calls
    closures = client.get("/closures/").get_data(as_text=True)
    assert '<option value="interpreter">Interpreter line</option>' in closures
    assert re.search(r"10:00.14:00\s+Interpreter line open \(in hours\)", closures)


def test_the_flow_checks_and_scripted_calls_cover_the_third_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`helpline flows check` and `flows test` pass with the interpreter's states and calls."""
    monkeypatch.setenv("HELPLINE_CONFIG", str(third_line_config(tmp_path)))
    checked = CliRunner().invoke(main, ["flows", "check"])
    assert checked.exit_code == 0, checked.output
    tested = CliRunner().invoke(main, ["flows", "test"])
    assert tested.exit_code == 0, tested.output
    assert "0 failed, 0 not covered" in tested.output


def local(url: str) -> str:
    """Return an absolute callback URL as the path (and query) the test client posts to."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_flow_naming_a_line_the_config_lacks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the config's interpreter line, the flow's mentions of it are each named."""
    config = third_line_config(tmp_path)
    config.write_text(config.read_text().replace(INTERPRETER_LINE, ""))
    monkeypatch.setenv("HELPLINE_CONFIG", str(config))
    checked = CliRunner().invoke(main, ["flows", "check"])
    assert checked.exit_code == 1
    assert "lines: 'interpreter' is not a configured line" in checked.output
    assert "{hours:interpreter}, but no such line is configured" in checked.output
    assert "Traceback" not in checked.output
