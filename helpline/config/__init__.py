"""Load the service config (TOML) and HELPLINE_* environment into validated settings.

One reader for every value: `load_settings` builds the typed Settings from the file named by
HELPLINE_CONFIG (values.py reads single values; lines.py the lines and their hours) and the
environment (environment.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpline.config import environment as env
from helpline.config import lines as calendar_config
from helpline.config.environment import (
    SmtpServer,
    database_url,
    development_key,
    journal_path,
    smtp_server,
)
from helpline.config.lines import Calendar, Line, OpeningHours
from helpline.config.values import ConfigError, optional_table, required_table, text, whole_number

__all__ = [
    "Calendar",
    "ConfigError",
    "FlowSettings",
    "JobSettings",
    "Line",
    "OpeningHours",
    "Settings",
    "SmtpServer",
    "Voice",
    "database_url",
    "development_key",
    "journal_path",
    "load_settings",
    "smtp_server",
    "whole_number",
]
DEFAULT_CONFIG = "config/helpline.toml"


@dataclass(frozen=True)
class Voice:
    """How prompts are spoken and how long lines ring."""

    voice: str = "Polly.Amy"
    language: str = "en-GB"
    ring_timeout: int = 25


@dataclass(frozen=True)
class FlowSettings:
    """Where the IVR flows live, which answers calls, and how long a caller lookup may take."""

    directory: Path = Path("ivr_flows")
    main: str = ""  # the flow that answers new calls: [flows] main
    caller_lookup_seconds: float = 0.3


@dataclass(frozen=True)
class JobSettings:
    """How long personal data is kept, when a call is stale, and where summaries go."""

    keep_days: int = 730
    stale_call_minutes: int = 120
    summary_directory: Path = Path("summaries")
    summary_sender: str = "helpline@localhost"
    summary_recipients: tuple[str, ...] = ()
    smtp: SmtpServer | None = None


@dataclass(frozen=True)
class Settings:
    """The whole validated configuration of one running service."""

    config_path: Path
    environment: str
    secret_key: str
    database_url: str
    journal_path: Path
    public_base_url: str | None
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    verify_signatures: bool
    service_name: str
    spoken_name: str
    provider: str
    reference_prefix: str  # case references read PREFIX-YYYY-NNNNN
    calendar: Calendar
    voice: Voice
    proxy_hops: int = 1
    closure_cache_seconds: float = 30.0
    flows: FlowSettings = field(default_factory=FlowSettings)
    jobs: JobSettings = field(default_factory=JobSettings)
    service_level_seconds: int = 20  # [reports]: answered within this many seconds is on target
    idle_minutes: int = 30  # [accounts]: a staff session ends after this long unused

    @property
    def lines(self) -> dict[str, Line]:
        """Return the configured lines by key, in routing order."""
        return {line.key: line for line in self.calendar.lines}


def load_settings(
    environ: Mapping[str, str], instance_path: Path, serving: bool = True
) -> Settings:
    """Read the TOML file named by HELPLINE_CONFIG and the environment; raise ConfigError.

    `serving` is False for offline commands (route, export, migrations), which never issue a
    session cookie and so do not need the secret key.
    """
    path = Path(environ.get("HELPLINE_CONFIG", DEFAULT_CONFIG))
    raw = _read_toml(path)
    source = str(path)
    for key in raw.keys() - _KNOWN_TABLES:
        raise ConfigError(source, key, "unknown table (a typo?)")
    environment = env.environment(environ)
    service = required_table(raw, "service", source)
    webhooks = optional_table(raw, "webhooks", source)
    return Settings(
        config_path=path,
        environment=environment,
        secret_key=env.secret_key(environ, environment, serving, instance_path),
        database_url=database_url(environ, instance_path),
        journal_path=journal_path(environ, instance_path),
        public_base_url=env.public_base_url(environ),
        twilio_account_sid=environ.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=environ.get("TWILIO_AUTH_TOKEN") or None,
        verify_signatures=env.verify_signatures(environ, environment),
        service_name=text(service, "name", f"{source}: service"),
        spoken_name=text(service, "spoken_name", f"{source}: service"),
        provider=text(service, "provider", f"{source}: service"),
        reference_prefix=calendar_config.reference_prefix(service, source),
        calendar=calendar_config.calendar(raw, source),
        voice=_voice(optional_table(raw, "voice", source), source),
        proxy_hops=whole_number(webhooks, "proxy_hops", 1, source, "webhooks", minimum=0),
        closure_cache_seconds=whole_number(
            webhooks, "closure_cache_seconds", 30, source, "webhooks", minimum=1
        ),
        flows=_flows(required_table(raw, "flows", source), source, path.parent),
        jobs=_jobs(raw, environ, source, instance_path),
        service_level_seconds=whole_number(
            optional_table(raw, "reports", source),
            "service_level_seconds",
            20,
            source,
            "reports",
            minimum=1,
        ),
        idle_minutes=whole_number(
            optional_table(raw, "accounts", source),
            "idle_minutes",
            30,
            source,
            "accounts",
            minimum=1,
        ),
    )


_KNOWN_TABLES = {
    "hours",  # known only to be refused with a pointer to [lines.<key>.hours]
    "accounts",
    "service",
    "bank_holidays",
    "lines",
    "reports",
    "voice",
    "webhooks",
    "flows",
    "retention",
    "jobs",
    "summary",
}


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse the config file, turning I/O and syntax errors into ConfigError."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), "HELPLINE_CONFIG", "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "(syntax)", str(error)) from None


def _voice(table: Mapping[str, Any], source: str) -> Voice:
    """Parse the [voice] table."""
    return Voice(
        voice=str(table.get("voice", Voice.voice)),
        language=str(table.get("language", Voice.language)),
        ring_timeout=whole_number(
            table, "ring_timeout", Voice.ring_timeout, source, "voice", minimum=5
        ),
    )


def _flows(table: Mapping[str, Any], source: str, config_folder: Path) -> FlowSettings:
    """Parse the [flows] table; a relative directory is taken from the config file's folder."""
    lookup = table.get("caller_lookup_seconds", FlowSettings.caller_lookup_seconds)
    if isinstance(lookup, bool) or not isinstance(lookup, int | float) or not 0 < lookup <= 2:
        raise ConfigError(source, "flows.caller_lookup_seconds", "must be a number of seconds, 0-2")
    return FlowSettings(
        directory=(config_folder / str(table.get("directory", "../ivr_flows"))).resolve(),
        main=text(table, "main", f"{source}: flows"),
        caller_lookup_seconds=float(lookup),
    )


def _jobs(
    raw: Mapping[str, Any], environ: Mapping[str, str], source: str, instance_path: Path
) -> JobSettings:
    """Parse the optional [retention], [jobs] and [summary] tables and HELPLINE_SMTP_URL."""
    retention, jobs, summary = (
        optional_table(raw, key, source) for key in ("retention", "jobs", "summary")
    )
    directory = Path(str(summary.get("directory", JobSettings.summary_directory)))
    return JobSettings(
        keep_days=whole_number(
            retention, "keep_days", JobSettings.keep_days, source, "retention", minimum=30
        ),
        stale_call_minutes=whole_number(
            jobs, "stale_call_minutes", JobSettings.stale_call_minutes, source, "jobs", minimum=5
        ),
        summary_directory=directory if directory.is_absolute() else instance_path / directory,
        summary_sender=str(summary.get("sender", JobSettings.summary_sender)),
        summary_recipients=_recipients(summary.get("recipients", []), source),
        smtp=smtp_server(environ.get("HELPLINE_SMTP_URL", "").strip()),
    )


def _recipients(value: Any, source: str) -> tuple[str, ...]:
    """Return the summary's e-mail recipients."""
    if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value):
        raise ConfigError(source, "summary.recipients", "must be a list of e-mail addresses")
    return tuple(value)
