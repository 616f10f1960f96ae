"""Config: validated once at start-up; a wrong value stops start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpline import create_app
from helpline.config import ConfigError, load_settings
from tests.conftest import ROOT

GOOD = (ROOT / "config" / "helpline.toml").read_text()


def settings_for(tmp_path: Path, text: str, **env: str):  # type: ignore[no-untyped-def]
    """Load settings from a config text in a temp file."""
    path = tmp_path / "helpline.toml"
    path.write_text(text)
    return load_settings({"HELPLINE_CONFIG": str(path), "HELPLINE_ENV": "testing"} | env, tmp_path)


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (
            ('monday = "09:00-17:00"', 'monday = "17:00-09:00"'),
            "lines.harmony.hours.monday",
            "before closing",
        ),
        (
            ('monday = "09:00-17:00"', 'monday = "nine to five"'),
            "lines.harmony.hours.monday",
            "expected HH:MM-HH:MM",
        ),
        (
            ('monday = "09:00-17:00"', 'funday = "09:00-17:00"'),
            "lines.harmony.hours.funday",
            "unknown weekday",
        ),
        (
            ('number = "0330 1757 258"', 'number = "not a number"'),
            "lines.harmony.number",
            "unparseable",
        ),
        (
            ('timezone = "Europe/London"', 'timezone = "Europe/Atlantis"'),
            "service.timezone",
            "unknown timezone",
        ),
        (("ring_timeout = 25", 'ring_timeout = "soon"'), "voice.ring_timeout", "whole number"),
        (
            (
                'number = "08081 689111"',
                'number = "08081 689111"\nhours = { monday = "09:00-17:00" }',
            ),
            "lines",
            "exactly one line must have no hours",
        ),
        (("[lines.harmony.hours]", "[hours]"), "hours", "belong to a line"),
        (("[webhooks]", "[webhook]"), "webhook", "unknown table"),
        (("[lines.out_of_hours]", "[lines.Out-of-hours]"), "lines.Out-of-hours", "lower-case"),
        (
            ("open_on_bank_holidays = false", 'open_on_bank_holidays = "no"'),
            "lines.harmony.open_on_bank_holidays",
            "true or false",
        ),
        (
            ('case_reference_prefix = "HAR"', 'case_reference_prefix = "har-"'),
            "service.case_reference_prefix",
            "capital letters",
        ),
        (
            ("service_level_seconds = 20", "service_level_seconds = 0"),
            "reports.service_level_seconds",
            "whole number",
        ),
    ],
)
def test_bad_values_name_file_key_and_problem(
    tmp_path: Path, change: tuple[str, str], key: str, problem: str
) -> None:
    """Each mistake is reported with the file, the key and what is wrong."""
    assert change[0] in GOOD
    with pytest.raises(ConfigError) as caught:
        settings_for(tmp_path, GOOD.replace(change[0], change[1], 1))
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert str(tmp_path / "helpline.toml") in str(caught.value)


def test_secret_key_required_in_production(tmp_path: Path) -> None:
    """Production refuses to start without HELPLINE_SECRET_KEY."""
    with pytest.raises(ConfigError, match="HELPLINE_SECRET_KEY"):
        settings_for(tmp_path, GOOD, HELPLINE_ENV="production")
    assert (
        settings_for(tmp_path, GOOD, HELPLINE_ENV="production", HELPLINE_SECRET_KEY="s").secret_key
        == "s"
    )


def test_signature_checks_off_only_in_development(tmp_path: Path) -> None:
    """HELPLINE_VERIFY_SIGNATURES=false is refused outside development."""
    with pytest.raises(ConfigError, match="only when HELPLINE_ENV=development"):
        settings_for(
            tmp_path,
            GOOD,
            HELPLINE_VERIFY_SIGNATURES="false",
            HELPLINE_SECRET_KEY="s",
            HELPLINE_ENV="production",
        )
    dev = settings_for(
        tmp_path, GOOD, HELPLINE_VERIFY_SIGNATURES="false", HELPLINE_ENV="development"
    )
    assert dev.verify_signatures is False


def test_postgres_urls_use_psycopg3(tmp_path: Path) -> None:
    """Platform-style postgres:// URLs are given the psycopg 3 driver."""
    url = settings_for(tmp_path, GOOD, HELPLINE_DATABASE_URL="postgres://u@h/db").database_url
    assert url == "postgresql+psycopg://u@h/db"


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real console script in a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_"))}
    full = clean | {"HELPLINE_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"} | env
    helpline = Path(sys.executable).parent / "helpline"
    return subprocess.run(
        [str(helpline), *args], env=full, capture_output=True, text=True, timeout=60, check=False
    )


def test_start_up_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    """A broken config stops the service with one clear message and no traceback."""
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('tuesday = "09:00-17:00"', 'tuesday = "18:00-08:00"'))
    result = run_cli(
        tmp_path,
        "route",
        "--at",
        "2026-11-24T10:00",
        HELPLINE_CONFIG=str(bad),
        HELPLINE_ENV="development",
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert (
        f"{bad}: lines.harmony.hours.tuesday: opening time must be before closing time"
        in result.stderr
    )


def test_missing_secret_in_production_stops_start_up(tmp_path: Path) -> None:
    """Without HELPLINE_ENV the service assumes production and will not serve without a secret."""
    result = run_cli(tmp_path, "run", "--port", "1")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "HELPLINE_SECRET_KEY: must be set in production" in result.stderr
    with pytest.raises(SystemExit, match="HELPLINE_SECRET_KEY"):
        create_app(
            {"HELPLINE_CONFIG": str(ROOT / "config/helpline.toml")}, instance_path=str(tmp_path)
        )


def test_offline_commands_need_no_secret(tmp_path: Path) -> None:
    """`helpline route` works in production without the web secret: it serves no one."""
    result = run_cli(tmp_path, "route", "--at", "2026-11-24T10:00")
    assert result.returncode == 0, result.stderr
    assert '"open": true' in result.stdout
