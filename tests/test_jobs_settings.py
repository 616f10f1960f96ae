"""The job settings in config/helpline.toml are checked when the service starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from helpline import create_app
from helpline.config import JobSettings, load_settings
from tests.conftest import config_copy, environment


@pytest.mark.parametrize(("table", "problem"), [
    ("[retention]\nkeep_days = 5\n", "retention.keep_days: must be a whole number >= 30"),
    ("[jobs]\nstale_call_minutes = \"soon\"\n", "jobs.stale_call_minutes"),
    ("[summary]\nrecipients = \"boss\"\n", "summary.recipients"),
])  # fmt: skip
def test_bad_job_settings_stop_start_up(tmp_path: Path, table: str, problem: str) -> None:
    """A wrong retention period, stale-call limit or recipient list is one clear line."""
    config = config_copy(tmp_path)
    text = config.read_text()
    name = table.split("]")[0] + "]"
    start = text.index(name)
    end = text.find("\n[", start + 1)
    config.write_text(text[:start] + table + (text[end:] if end != -1 else ""))
    with pytest.raises(SystemExit, match=problem):
        create_app(environment("sqlite://", HELPLINE_CONFIG=str(config)),
                   instance_path=str(tmp_path))  # fmt: skip


def test_bad_smtp_url_stops_start_up(tmp_path: Path) -> None:
    """HELPLINE_SMTP_URL must be an smtp URL."""
    with pytest.raises(SystemExit, match="HELPLINE_SMTP_URL"):
        create_app(environment("sqlite://", HELPLINE_SMTP_URL="mail.example.org"),
                   instance_path=str(tmp_path))  # fmt: skip


def test_report_rollups_job_counts_recent_days(app: Flask) -> None:
    """`helpline jobs run report-rollups` recounts the last three whole days."""
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["jobs", "run", "report-rollups", "--dry-run"])
    assert dry.exit_code == 0 and "would roll up" in dry.output, dry.output
    done = runner.invoke(args=["jobs", "run", "report-rollups"])
    assert done.exit_code == 0 and "rolled up 3 days" in done.output, done.output


def test_job_tables_are_optional_and_read_once(tmp_path: Path) -> None:
    """Left out, the optional tables take their defaults; they are typed settings."""
    config = config_copy(tmp_path)
    text = config.read_text()
    start, end = text.index("[retention]"), text.index("[flows]")
    config.write_text(text[:start] + text[end:])
    environ = environment("sqlite://", HELPLINE_CONFIG=str(config))
    settings = load_settings(environ, tmp_path, serving=False)
    assert settings.jobs == JobSettings(summary_directory=tmp_path / "summaries")
    assert settings.idle_minutes == 30 and settings.service_level_seconds == 20
