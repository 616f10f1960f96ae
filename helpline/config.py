"""Load the service config (TOML) and HELPLINE_* environment into validated settings."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpline import phones

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ENVIRONMENTS = ("production", "development", "testing")
LINE_KEY = re.compile(r"^[a-z_]+$")
REFERENCE_PREFIX = re.compile(r"^[A-Z]{2,6}$")
DEFAULT_CONFIG = "config/helpline.toml"
SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")


class ConfigError(Exception):
    """A config value is missing or wrong; the message names the source, key and problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


@dataclass(frozen=True)
class OpeningHours:
    """Open [opens, closes) local time for each weekday (0 = Monday) the line opens."""

    days: Mapping[int, tuple[time, time]]


@dataclass(frozen=True)
class Line:
    """A phone line the helpline can connect callers to, and when it takes calls."""

    key: str
    name: str
    number: str  # E.164
    hours: OpeningHours | None = None  # None: the line that takes every call no other line does
    open_on_bank_holidays: bool = False

    @property
    def national(self) -> str:
        """Return the number as a UK caller would write it."""
        return phones.format_national(self.number)


@dataclass(frozen=True)
class Calendar:
    """Everything routing needs besides closures: pure data, no I/O."""

    timezone: ZoneInfo
    holiday_country: str
    holiday_subdivision: str | None
    # In the order routing tries them: each line with hours in turn, then the always-open line.
    lines: tuple[Line, ...]

    @property
    def main(self) -> Line:
        """Return the first line routing tries: the service's own line."""
        return self.lines[0]

    @property
    def scheduled(self) -> tuple[Line, ...]:
        """Return the lines with opening hours, in the order routing tries them."""
        return self.lines[:-1]

    @property
    def always_open(self) -> Line:
        """Return the line that takes every call when no line with hours is open."""
        return self.lines[-1]

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the lines' keys in routing order."""
        return tuple(line.key for line in self.lines)


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
    environment = _environment(environ)
    service = _table(raw, "service", source)
    webhooks = raw.get("webhooks", {})
    return Settings(
        config_path=path,
        environment=environment,
        secret_key=_secret_key(environ, environment, serving, instance_path),
        database_url=database_url(environ, instance_path),
        journal_path=journal_path(environ, instance_path),
        public_base_url=_public_base_url(environ),
        twilio_account_sid=environ.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=environ.get("TWILIO_AUTH_TOKEN") or None,
        verify_signatures=_verify_signatures(environ, environment),
        service_name=_text(service, "name", f"{source}: service"),
        spoken_name=_text(service, "spoken_name", f"{source}: service"),
        provider=_text(service, "provider", f"{source}: service"),
        reference_prefix=_reference_prefix(service, source),
        calendar=_calendar(raw, source),
        voice=_voice(raw.get("voice", {}), source),
        proxy_hops=whole_number(webhooks, "proxy_hops", 1, source, "webhooks", minimum=0),
        closure_cache_seconds=whole_number(
            webhooks, "closure_cache_seconds", 30, source, "webhooks", minimum=1
        ),
        flows=_flows(raw.get("flows", {}), source, path.parent),
        jobs=_jobs(raw, environ, source, instance_path),
        service_level_seconds=whole_number(
            _optional_table(raw, "reports", source),
            "service_level_seconds",
            20,
            source,
            "reports",
            minimum=1,
        ),
        idle_minutes=whole_number(
            _optional_table(raw, "accounts", source),
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


def _table(raw: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    """Return a required sub-table."""
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "missing table")
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    """Return a required non-empty string."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        source, _, prefix = where.partition(": ")
        raise ConfigError(source, f"{prefix}.{key}", "must be a non-empty string")
    return value.strip()


def whole_number(
    table: Mapping[str, Any], key: str, default: int, source: str, prefix: str, minimum: int
) -> int:
    """Return an optional integer no smaller than minimum."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(source, f"{prefix}.{key}", f"must be a whole number >= {minimum}")
    return value


def _environment(environ: Mapping[str, str]) -> str:
    """Return HELPLINE_ENV, production unless said otherwise."""
    value = environ.get("HELPLINE_ENV", "production").strip().lower()
    if value not in ENVIRONMENTS:
        raise ConfigError(
            "environment", "HELPLINE_ENV", f"must be one of {', '.join(ENVIRONMENTS)}"
        )
    return value


def _secret_key(
    environ: Mapping[str, str], environment: str, serving: bool, instance_path: Path
) -> str:
    """Return the Flask secret key; production refuses to serve without one."""
    key = environ.get("HELPLINE_SECRET_KEY", "")
    if key:
        return key
    if environment == "production" and serving:
        raise ConfigError("environment", "HELPLINE_SECRET_KEY", "must be set in production")
    if environment == "development":
        return development_key(instance_path / "development-secret-key")
    # Tests and offline commands get a throwaway key: no session outlives it.
    return secrets.token_urlsafe(32)


def development_key(path: Path) -> str:
    """Return the key kept in the instance folder, so every worker signs sessions alike."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic and never overwrites: racing workers agree on one key
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def journal_path(environ: Mapping[str, str], instance_path: Path) -> Path:
    """Return where this machine journals call events: HELPLINE_JOURNAL or the instance folder."""
    value = environ.get("HELPLINE_JOURNAL", "").strip()
    return Path(value) if value else instance_path / "contact-journal.sqlite3"


def database_url(environ: Mapping[str, str], instance_path: Path) -> str:
    """Return the SQLAlchemy URL, defaulting to SQLite in the instance folder."""
    url = environ.get("HELPLINE_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'helpline.sqlite3'}"
    # Platforms hand out postgres:// URLs; we use the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _public_base_url(environ: Mapping[str, str]) -> str | None:
    """Return HELPLINE_PUBLIC_BASE_URL without a trailing slash, checked to be absolute."""
    url = environ.get("HELPLINE_PUBLIC_BASE_URL", "").strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError("environment", "HELPLINE_PUBLIC_BASE_URL", "must start with https://")
    return url or None


def _verify_signatures(environ: Mapping[str, str], environment: str) -> bool:
    """Return whether webhook signatures are checked; only development may turn it off."""
    value = environ.get("HELPLINE_VERIFY_SIGNATURES", "true").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value not in ("0", "false", "no", "off"):
        raise ConfigError("environment", "HELPLINE_VERIFY_SIGNATURES", "must be true or false")
    if environment != "development":
        raise ConfigError(
            "environment",
            "HELPLINE_VERIFY_SIGNATURES",
            "may be false only when HELPLINE_ENV=development",
        )
    return False


def _calendar(raw: Mapping[str, Any], source: str) -> Calendar:
    """Build the routing calendar from the timezone, holidays and lines."""
    service = _table(raw, "service", source)
    holidays = _table(raw, "bank_holidays", source)
    if "hours" in raw:
        raise ConfigError(source, "hours", "opening hours belong to a line: [lines.<key>.hours]")
    subdivision = holidays.get("subdivision")
    return Calendar(
        timezone=_timezone(service.get("timezone"), source),
        holiday_country=_holiday_country(holidays, subdivision, source),
        holiday_subdivision=subdivision,
        lines=_lines(_table(raw, "lines", source), source),
    )


def _reference_prefix(service: Mapping[str, Any], source: str) -> str:
    """Return the case reference prefix: two to six capital letters."""
    prefix = _text(service, "case_reference_prefix", f"{source}: service")
    if not REFERENCE_PREFIX.match(prefix):
        raise ConfigError(source, "service.case_reference_prefix", "must be 2-6 capital letters")
    return prefix


def _timezone(value: Any, source: str) -> ZoneInfo:
    """Return the IANA zone named by service.timezone."""
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(source, "service.timezone", f"unknown timezone {value!r}") from None


def _holiday_country(holidays: Mapping[str, Any], subdivision: Any, source: str) -> str:
    """Check the bank-holiday calendar exists in the holidays package."""
    import holidays as holidays_package

    country = str(holidays.get("country", ""))
    try:
        holidays_package.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError as error:
        raise ConfigError(source, "bank_holidays", str(error)) from None
    return country


def _lines(table: Mapping[str, Any], source: str) -> tuple[Line, ...]:
    """Parse every [lines.*] table: lines with hours in the order written, then the one without."""
    lines = [_line(key, entry, source) for key, entry in table.items()]
    always_open = [line for line in lines if line.hours is None]
    if len(always_open) != 1:
        named = ", ".join(line.key for line in always_open) or "none"
        raise ConfigError(
            source,
            "lines",
            f"exactly one line must have no hours (it takes every other call); found {named}",
        )
    scheduled = tuple(line for line in lines if line.hours is not None)
    if not scheduled:
        raise ConfigError(source, "lines", "at least one line needs opening hours")
    return (*scheduled, always_open[0])


def _line(key: str, entry: Any, source: str) -> Line:
    """Parse one [lines.<key>] table: its name, number and, unless always open, its hours."""
    where = f"lines.{key}"
    if not LINE_KEY.match(key):
        raise ConfigError(source, where, "a line's key is lower-case letters and underscores")
    if not isinstance(entry, Mapping):
        raise ConfigError(source, where, "must be a table")
    number = phones.to_e164(str(entry.get("number", "")))
    if number is None:
        raise ConfigError(
            source, f"{where}.number", f"unparseable phone number {entry.get('number')!r}"
        )
    hours = entry.get("hours")
    if hours is not None and not isinstance(hours, Mapping):
        raise ConfigError(source, f"{where}.hours", "must be a table of weekdays")
    bank_holidays = entry.get("open_on_bank_holidays", False)
    if not isinstance(bank_holidays, bool):
        raise ConfigError(source, f"{where}.open_on_bank_holidays", "must be true or false")
    return Line(
        key=key,
        name=_text(entry, "name", f"{source}: {where}"),
        number=number,
        hours=None if hours is None else _hours(hours, source, f"{where}.hours"),
        open_on_bank_holidays=bank_holidays,
    )


def _hours(table: Mapping[str, Any], source: str, where: str) -> OpeningHours:
    """Parse "HH:MM-HH:MM" per weekday name into open/close times."""
    days: dict[int, tuple[time, time]] = {}
    for name, value in table.items():
        if name not in WEEKDAYS:
            raise ConfigError(source, f"{where}.{name}", "unknown weekday")
        days[WEEKDAYS.index(name)] = _time_range(str(value), source, f"{where}.{name}")
    return OpeningHours(days=days)


def _time_range(value: str, source: str, key: str) -> tuple[time, time]:
    """Parse one "09:00-17:00" range; opening must come before closing."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ConfigError(source, key, f"expected HH:MM-HH:MM, got {value!r}") from None
    if start >= end:
        raise ConfigError(source, key, f"opening time must be before closing time in {value!r}")
    return start, end


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
        main=_text(table, "main", f"{source}: flows"),
        caller_lookup_seconds=float(lookup),
    )


def _jobs(
    raw: Mapping[str, Any], environ: Mapping[str, str], source: str, instance_path: Path
) -> JobSettings:
    """Parse the optional [retention], [jobs] and [summary] tables and HELPLINE_SMTP_URL."""
    retention, jobs, summary = (
        _optional_table(raw, key, source) for key in ("retention", "jobs", "summary")
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


def _optional_table(raw: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    """Return a sub-table that may be left out (as empty)."""
    value = raw.get(key, {})
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
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
