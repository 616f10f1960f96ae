"""The audit log: who viewed or changed a case, exported data, changed closures or users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import has_app_context
from sqlalchemy.orm import Session

from helpline import current
from helpline.models import AuditEntry, utcnow


def record_audit(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """Add one audit entry in the caller's transaction, so it commits with the change."""
    session.add(
        AuditEntry(
            at=_now(), actor=actor[:200], action=action[:50], target=target[:200], detail=detail
        )
    )


def _now() -> datetime:
    """Return the app's clock when there is an app, so tests can place entries in time."""
    if has_app_context():
        clock: Callable[[], datetime] = current.clock()
        return clock()
    return utcnow()


def cli_actor(name: str | None = None) -> str:
    """Return who ran a command: the name given, else the operating-system user."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "unknown"
    return f"{name} (command line, {user})" if name else f"command line ({user})"
