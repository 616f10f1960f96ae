"""Read the HELPLINE_* environment: the deployment's secrets, database, journal and mail."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpline.config.values import ConfigError

ENVIRONMENTS = ("production", "development", "testing")
SMTP_SCHEMES = ("smtp", "smtps", "smtp+starttls")


@dataclass(frozen=True)
class SmtpServer:
    """Where the weekly summary is sent from; the password never leaves this object."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def environment(environ: Mapping[str, str]) -> str:
    """Return HELPLINE_ENV, production unless said otherwise."""
    value = environ.get("HELPLINE_ENV", "production").strip().lower()
    if value not in ENVIRONMENTS:
        raise ConfigError(
            "environment", "HELPLINE_ENV", f"must be one of {', '.join(ENVIRONMENTS)}"
        )
    return value


def secret_key(
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


def public_base_url(environ: Mapping[str, str]) -> str | None:
    """Return HELPLINE_PUBLIC_BASE_URL without a trailing slash, checked to be absolute."""
    url = environ.get("HELPLINE_PUBLIC_BASE_URL", "").strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError("environment", "HELPLINE_PUBLIC_BASE_URL", "must start with https://")
    return url or None


def verify_signatures(environ: Mapping[str, str], environment: str) -> bool:
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
