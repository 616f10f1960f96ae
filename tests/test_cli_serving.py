"""Only serving needs the secret key and warns of gaps: `helpline run` and gunicorn, no command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, environment


def helpline(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the `helpline` console script as a person would, stopping it if it starts serving."""
    return subprocess.run(
        [sys.executable, "-m", "helpline.cli", *args],
        env=os.environ | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_command_in_production_needs_no_secret_key(database_url: str, tmp_path: Path) -> None:
    """`helpline route` never issues a session cookie, so it runs without the secret, quietly."""
    env = environment(database_url, HELPLINE_ENV="production", HELPLINE_SECRET_KEY="")
    env |= {"HELPLINE_INSTANCE_PATH": str(tmp_path), "TWILIO_AUTH_TOKEN": ""}
    result = helpline(["route", "--at", "2026-11-24T10:00"], env)
    assert result.returncode == 0, result.stderr
    assert '"line": "harmony"' in result.stdout
    assert "TWILIO_AUTH_TOKEN" not in result.stderr


def test_run_serves_so_refuses_production_without_a_secret_key(
    database_url: str, tmp_path: Path
) -> None:
    """`helpline run` builds the app to serve: production without the secret stops at once."""
    env = environment(database_url, HELPLINE_ENV="production", HELPLINE_SECRET_KEY="")
    env["HELPLINE_INSTANCE_PATH"] = str(tmp_path)
    result = helpline(["run", "--port", "0"], env)
    assert result.returncode != 0
    assert "HELPLINE_SECRET_KEY: must be set in production" in result.stderr
    assert "Traceback" not in result.stderr
