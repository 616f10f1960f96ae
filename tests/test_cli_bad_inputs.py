"""A command given a database it cannot use says so in one line: never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpline.cli import main
from tests.conftest import environment


def helpline(args: list[str], database_url: str, tmp_path: Path) -> Result:
    """Run `helpline ARGS` as the console script does, on the given database."""
    env = environment(database_url) | {"HELPLINE_INSTANCE_PATH": str(tmp_path)}
    return CliRunner().invoke(main, args, env=env)


def one_line_error(result: Result) -> str:
    """Return the command's only line of complaint, checking there was no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    [line] = [line for line in result.output.splitlines() if line.strip()]
    return line


@pytest.mark.parametrize(
    "args",
    [["users", "list"], ["closures", "list"], ["calls", "export"], ["db", "current"]],
)
def test_an_unreachable_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """The driver's own reason, and what to check; the URL itself (it may hold a password) not."""
    url = f"sqlite:///{tmp_path}/no/such/folder/helpline.sqlite3"
    line = one_line_error(helpline(args, url, tmp_path))
    assert line == (
        "Error: the database cannot be used (unable to open database file); check "
        "HELPLINE_DATABASE_URL, and that it is migrated (`helpline db upgrade`)"
    )
    assert str(tmp_path) not in line


def test_a_database_not_yet_migrated_says_to_migrate(tmp_path: Path) -> None:
    """An empty database is named as such, with the command that sets it up."""
    line = one_line_error(helpline(["users", "list"], f"sqlite:///{tmp_path}/new.db", tmp_path))
    assert "(no such table: users)" in line and "`helpline db upgrade`" in line


@pytest.mark.parametrize(
    ("url", "reason"),
    [("not a url", "Could not parse SQLAlchemy URL"), ("mysql://h/db", "No module named")],
)
def test_a_database_url_no_driver_can_use_stops_start_up(
    tmp_path: Path, url: str, reason: str
) -> None:
    """Like any bad setting: one line naming the variable and the problem."""
    line = one_line_error(helpline(["users", "list"], url, tmp_path))
    assert line.startswith("helpline: configuration error: environment: HELPLINE_DATABASE_URL:")
    assert reason in line


def test_simulate_refuses_a_database_it_cannot_log_to(tmp_path: Path) -> None:
    """`helpline simulate --database-url` checks the database before the call, not after."""
    url = f"sqlite:///{tmp_path}/new.db"
    result = helpline(
        ["simulate", "--at", "2026-11-24T10:00", "--database-url", url], url, tmp_path
    )
    assert one_line_error(result) == (
        "Error: cannot log to the --database-url database (no such table: calls); "
        "is it reachable, and migrated with `helpline db upgrade`?"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("```sh\nnot yaml\n```\n", "cannot be read: while scanning for the next token"),
        ("calls:\n  - name: tea\n    at: teatime\n", "tea: 'at' must be an ISO 8601 date and time"),
        ("calls:\n  - name: rec\n    at: 2026-11-24T10:00\n    record: [x]\n", "rec: 'at' must"),
    ],
)
def test_a_malformed_scripted_test_is_one_line(tmp_path: Path, text: str, problem: str) -> None:
    """`helpline flows test FILE` names the file, the call and what is wrong with it."""
    script = tmp_path / "calls.yaml"
    script.write_text(text)
    url = f"sqlite:///{tmp_path}/unused.db"
    line = one_line_error(helpline(["flows", "test", str(script)], url, tmp_path))
    assert line.startswith(f"Error: {script}: ") and problem in line
