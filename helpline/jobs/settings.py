"""Settings of the scheduled jobs: [retention], [jobs] and [summary] plus HELPLINE_SMTP_URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

from helpline.config import ConfigError, whole_number

SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")
_TABLES = ("retention", "jobs", "summary")


@dataclass(frozen=True)
class SmtpServer:
    """Where the weekly summary is sent from; the password never leaves this object."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


@dataclass(frozen=True)
class JobSettings:
    """How long personal data is kept, when a call is stale, and where summaries go."""

    keep_days: int
    stale_call_minutes: int
    summary_directory: Path
    summary_sender: str
    summary_recipients: tuple[str, ...]
    smtp: SmtpServer | None


def load_job_settings(
    extra: Mapping[str, Any], environ: Mapping[str, str], source: str, instance: Path
) -> JobSettings:
    """Read the job tables of the config file and the SMTP URL; raise ConfigError."""
    retention, jobs, summary = (
        _table(extra, key, source) for key in ("retention", "jobs", "summary")
    )
    directory = Path(str(summary.get("directory", "summaries")))
    return JobSettings(
        keep_days=whole_number(retention, "keep_days", 730, source, "retention", minimum=30),
        stale_call_minutes=whole_number(jobs, "stale_call_minutes", 120, source, "jobs", minimum=5),
        summary_directory=directory if directory.is_absolute() else instance / directory,
        summary_sender=str(summary.get("sender", "helpline@localhost")),
        summary_recipients=_recipients(summary.get("recipients", []), source),
        smtp=smtp_server(environ.get("HELPLINE_SMTP_URL", "").strip()),
    )


def _table(extra: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    """Return an optional table of the config file."""
    value = extra.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "must be a table")
    return value


def _recipients(value: Any, source: str) -> tuple[str, ...]:
    """Return the summary's e-mail recipients."""
    if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value):
        raise ConfigError(source, "summary.recipients", "must be a list of e-mail addresses")
    return tuple(value)


def smtp_server(url: str) -> SmtpServer | None:
    """Parse HELPLINE_SMTP_URL (smtp://, smtps:// or smtp+starttls://user:pass@host:port)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ConfigError("environment", "HELPLINE_SMTP_URL", "must be smtp[s]://host:port")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587)
    except ValueError:
        raise ConfigError("environment", "HELPLINE_SMTP_URL", "has a bad port") from None
    return SmtpServer(
        scheme=parts.scheme, host=parts.hostname, port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )  # fmt: skip


def init_app(app: Flask, environ: Mapping[str, str]) -> None:
    """Validate and attach the job settings."""
    settings = app.extensions["helpline.settings"]
    app.extensions["helpline.job_settings"] = load_job_settings(
        settings.extra, environ, str(settings.config_path), Path(app.instance_path)
    )


def job_settings(app: Flask | None = None) -> JobSettings:
    """Return the app's job settings."""
    value: JobSettings = (app or current_app).extensions["helpline.job_settings"]
    return value
