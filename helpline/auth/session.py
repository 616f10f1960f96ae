"""Session cookies, Flask-Login loading, the idle timeout and the first-run hint."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app, flash, request, session
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from helpline import current
from helpline.auth.access import sign_in_redirect
from helpline.auth.staff import Staff, staff_from
from helpline.config import Settings
from helpline.db import get_database
from helpline.models import User

log = logging.getLogger(__name__)
POLL_HEADER = "X-Helpline-Poll"
FIRST_ADMIN_HINT = (
    "no users yet: create the first admin with: helpline users create "
    "--email you@example.org --name 'Your Name' --role admin --password-stdin"
)


def configure_cookies(app: Flask, settings: Settings) -> None:
    """Make cookies Secure/HttpOnly/SameSite; Secure is off only for local http work."""
    secure = settings.environment == "production"
    idle = timedelta(minutes=settings.idle_minutes)
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=idle,
    )


def make_login_manager(app: Flask) -> LoginManager:
    """Attach Flask-Login, loading staff by id and checking the password fingerprint."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.user_loader(load_staff)
    return manager


def load_staff(session_id: str) -> Staff | None:
    """Return the active user for a session id, or None if it is stale or disabled."""
    user_id, _, key = session_id.partition(":")
    if not user_id.isdigit():
        return None
    with get_database().transaction() as db_session:
        user = db_session.scalars(select(User).where(User.id == int(user_id))).first()
        staff = staff_from(user) if user is not None and user.active else None
    return staff if staff is not None and staff.session_key == key else None


def enforce_idle_timeout() -> Response | None:
    """Sign out a session idle too long; background polling does not count as activity."""
    # Webhooks carry no staff session; a stray cookie must never turn a call into a redirect.
    if "_user_id" not in session or request.endpoint == "static" or request.blueprint == "voice":
        return None
    now = current.now()
    seen = session.get("seen")
    limit = current_app.permanent_session_lifetime
    if isinstance(seen, (int, float)) and now.timestamp() - seen > limit.total_seconds():
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity.")
        return sign_in_redirect()
    if request.headers.get(POLL_HEADER) != "1" and current_user.is_authenticated:
        session["seen"] = now.timestamp()
        session.permanent = True
    return None


def hint_when_no_users(app: Flask) -> None:
    """Log how to create the first admin when the database has no accounts yet."""
    from helpline.auth.accounts import count_users

    try:
        with get_database(app).transaction() as db_session:
            empty = count_users(db_session) == 0
    except Exception:  # not migrated yet: `helpline db upgrade` comes first
        return
    if empty:
        log.warning(FIRST_ADMIN_HINT)
