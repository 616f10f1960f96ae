"""The deployment files: Procfile processes and the gunicorn settings Twilio depends on."""

from __future__ import annotations

import runpy

import pytest

from helpline.logs import JsonFormatter
from tests.conftest import ROOT


def test_procfile_declares_web_clock_and_release() -> None:
    """Any Procfile platform gets the web server, the one clock process and migrations."""
    processes = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert processes["clock"] == "helpline scheduler run"
    assert processes["release"] == "helpline db upgrade"
    assert processes["web"].startswith("gunicorn --config config/gunicorn.conf.py ")


def test_gunicorn_answers_within_twilios_timeout_and_logs_no_query_strings() -> None:
    """Workers never hang past Twilio's 15 s; the access log has paths, not query strings."""
    settings = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert settings["timeout"] <= 15 and settings["workers"] >= 1
    access = settings["access_log_format"]
    assert "%(U)s" in access
    assert not any(field in access for field in ("%(r)s", "%(q)s", "%(f)s", "%({"))


def test_gunicorn_logs_json_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production routes gunicorn's own loggers through the helpline's JSON, redacted."""
    import logging.config

    monkeypatch.setenv("HELPLINE_ENV", "production")
    logging_config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))["logconfig_dict"]
    configurator = logging.config.DictConfigurator(logging_config)
    formatter = configurator.configure_formatter(logging_config["formatters"]["helpline_json"])
    assert isinstance(formatter, JsonFormatter)
    assert logging_config["loggers"]["gunicorn.access"]["handlers"] == ["helpline_stderr"]
    assert logging_config["root"]["handlers"] == []  # the app installs its own
    monkeypatch.setenv("HELPLINE_ENV", "development")
    assert "logconfig_dict" not in runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
