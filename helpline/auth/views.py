"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from helpline import current
from helpline.audit import record_audit
from helpline.auth.accounts import authenticate, count_users
from helpline.auth.session import FIRST_ADMIN_HINT
from helpline.db import get_database

bp = Blueprint("auth", __name__)
REFUSED = "That email and password did not match an active account."
LOCKED = "Too many failed attempts. Please wait 15 minutes, or ask an administrator."


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | Response:
    """Show the sign-in form, and sign in on a correct email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = attempt_login(form.email.data, form.password.data)
        if outcome is None:
            return redirect(safe_next(request.args.get("next")))
        flash(outcome)
    return render_template("auth/login.html", form=form, hint=_first_run_hint()), (
        200 if request.method == "GET" or not form.errors else 400
    )


def attempt_login(email: str, password: str) -> str | None:
    """Sign in and return None, or return the message explaining the refusal."""
    throttle = current.login_throttle()
    address, now = request.remote_addr or "-", current.now()
    if throttle.blocked(address, now.timestamp()):
        return LOCKED
    with get_database().transaction() as db_session:
        result = authenticate(db_session, email, password, now)
        action = "login" if result.staff else "login_refused"
        record_audit(db_session, email.strip().lower(), action, "account")
    if result.staff is None:
        throttle.fail(address, now.timestamp())
        return LOCKED if result.locked else REFUSED
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(result.staff)
    session["seen"], session.permanent = now.timestamp(), True
    return None


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST with a CSRF token, so a link elsewhere cannot sign people out)."""
    if current_user.is_authenticated:
        with get_database().transaction() as db_session:
            record_audit(db_session, current_user.email, "logout", "account")
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect("/login")


def safe_next(target: str | None) -> str:
    """Return a local path to go to after sign-in; anything else goes home."""
    # Browsers read a backslash as a slash: normalise first, then insist on a local path.
    target = (target or "").replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _first_run_hint() -> str | None:
    """Return the create-the-first-admin hint when there are no users."""
    try:
        with get_database().transaction() as db_session:
            return FIRST_ADMIN_HINT if count_users(db_session) == 0 else None
    except Exception:  # database not ready: the login form still renders
        return None
