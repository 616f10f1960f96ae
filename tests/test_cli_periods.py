"""One period parser: the JSON APIs and the commands take and refuse the same since and until."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from helpline.reports.periods import FORMS

Token = Callable[[str], str]

# Whole UK days, naive UK times, instants with an offset, and padding a person might paste.
TAKEN = [
    ("2026-11-24", "2026-11-24"),
    ("2026-11-24T09:30", "2026-11-24T17:00"),
    ("2026-11-24T09:30Z", "2026-11-25T00:00+01:00"),
    (" 2026-11-24 ", "2026-11-26"),
]
# What each refusal says, after the end it names: the same words from every surface.
REFUSED = [
    ("yesterday", "", "since", f"not {FORMS}: 'yesterday'"),
    ("24/11/2026", "", "since", f"not {FORMS}: '24/11/2026'"),
    ("2026-02-30", "", "since", f"not {FORMS}: '2026-02-30'"),
    ("2026-11-24T25:00", "", "since", f"not {FORMS}: '2026-11-24T25:00'"),
    ("2026-11-24", "2026-13-01", "until", f"not {FORMS}: '2026-13-01'"),
    ("2026-11-25", "2026-11-24", "until", "must be after since"),
    ("", "9999-12-31", "until", "is too far in the past or the future"),
]


def query(since: str, until: str) -> dict[str, str]:
    """Return the query string a client sends, leaving out an end left open."""
    return {name: value for name, value in (("since", since), ("until", until)) if value}


def options(since: str, until: str) -> list[str]:
    """Return the command-line options a person types, leaving out an end left open."""
    return [arg for name, value in query(since, until).items() for arg in (f"--{name}", value)]


def api_answers(client: FlaskClient, token: str, since: str, until: str) -> list[tuple[int, str]]:
    """Return (status, error) from the calls API and the report API for one since and until."""
    headers = {"Authorization": f"Bearer {token}"}
    answers = []
    for path in ("/api/v1/calls", "/api/v1/reports/volumes"):
        response = client.get(path, query_string=query(since, until), headers=headers)
        answers.append((response.status_code, (response.get_json() or {}).get("error", "")))
    return answers


def command_answers(runner: FlaskCliRunner, since: str, until: str) -> list[tuple[int, str]]:
    """Return (exit code, output) from `calls export` and `reports rollup` for the same values."""
    commands = (["calls", "export"], ["reports", "rollup"])
    results = [runner.invoke(args=[*command, *options(since, until)]) for command in commands]
    return [(result.exit_code, result.output) for result in results]


def test_the_apis_and_the_commands_take_the_same_periods(
    client: FlaskClient, runner: FlaskCliRunner, api_token: Token
) -> None:
    """Days, naive UK times and instants with an offset work everywhere."""
    token = api_token("supervisor")
    for since, until in TAKEN:
        assert api_answers(client, token, since, until) == [(200, ""), (200, "")], since
        for code, output in command_answers(runner, since, until):
            assert code == 0, output


def test_the_apis_and_the_commands_refuse_the_same_periods_in_the_same_words(
    client: FlaskClient, runner: FlaskCliRunner, api_token: Token
) -> None:
    """A wrong value names its end and says what would do, never Python's own words."""
    token = api_token("supervisor")
    for since, until, end, problem in REFUSED:
        assert api_answers(client, token, since, until) == [(400, f"{end}: {problem}")] * 2
        for code, output in command_answers(runner, since, until):
            assert code == 2, output
            assert f"Invalid value for --{end}: {problem}" in output
            assert "isoformat" not in output and "Traceback" not in output


@pytest.mark.parametrize("path", ["/api/v1/reports/volumes", "/api/v1/reports/commissioner"])
def test_report_periods_round_out_to_whole_uk_days(
    client: FlaskClient, api_token: Token, path: str
) -> None:
    """An instant in a report period stands for the UK day it falls on; the answer says which."""
    headers = {"Authorization": f"Bearer {api_token('supervisor')}"}
    span = {"since": "2026-06-30T23:30Z", "until": "2026-07-02T00:00+01:00"}
    body = client.get(path, query_string=span, headers=headers).get_json()
    bounds = body if "since" in body else body["periods"]["period"]
    assert (bounds["since"], bounds["until"]) == ("2026-07-01", "2026-07-01")
