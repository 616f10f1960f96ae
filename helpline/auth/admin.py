"""The administrators' users page: add staff, change roles, disable, reset passwords."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from helpline.audit import record_audit
from helpline.auth.access import actor_name, role_required
from helpline.auth.accounts import AccountError, create_user, hash_password
from helpline.auth.staff import rank
from helpline.db import get_database
from helpline.models import ROLES, User

bp = Blueprint("users", __name__, url_prefix="/admin/users")


class NewUserForm(FlaskForm):  # type: ignore[misc]
    """A new member of staff."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=200)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=list(ROLES))
    password = PasswordField("First password (12+ characters)", validators=[DataRequired()])


@bp.route("/", methods=["GET", "POST"])
@role_required("admin")
def index() -> str | Response:
    """List staff, and add one when the form is posted."""
    form = NewUserForm()
    if form.validate_on_submit():
        return _apply(lambda session: _create(session, form), "user_created", form.email.data)
    with get_database().transaction() as session:
        users = list(session.scalars(select(User).order_by(User.active.desc(), User.name)))
    return render_template("admin/users.html", users=users, form=form, roles=ROLES)


def _create(session: Session, form: NewUserForm) -> str:
    """Create the user described by the form."""
    user = create_user(session, form.email.data, form.name.data, form.role.data, form.password.data)
    return f"Added {user.email} as {user.role}."


@bp.post("/<int:user_id>")
@role_required("admin")
def change(user_id: int) -> Response:
    """Change a user's role, disable or enable them, or set a new password."""
    action = request.form.get("action", "")
    changes: dict[str, Callable[[User], str]] = {
        "role": lambda user: _set_role(user, request.form.get("role", "")),
        "disable": lambda user: _set_active(user, False),
        "enable": lambda user: _set_active(user, True),
        "password": lambda user: _set_password(user, request.form.get("password", "")),
    }
    if action not in changes:
        flash("Unknown change.")
        return redirect(url_for("users.index"))
    return _apply(
        lambda session: changes[action](_user(session, user_id)), f"user_{action}", str(user_id)
    )


def _apply(change: Callable[[Session], str], action: str, target: str) -> Response:
    """Make one change with its audit entry; refusals come back as a message."""
    try:
        with get_database().transaction() as session:
            message = change(session)
            record_audit(session, actor_name(), action, target.strip().lower(), message)
    except AccountError as error:
        flash(str(error))
    else:
        flash(message)
    return redirect(url_for("users.index"))


def _user(session: Session, user_id: int) -> User:
    """Return the user, or raise AccountError; admins cannot lock themselves out."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("There is no such user.")
    if user.email == actor_name():
        raise AccountError("Ask another administrator to change your own account.")
    return user


def _set_role(user: User, role: str) -> str:
    """Give the user a new role."""
    try:
        rank(role)
    except ValueError as error:
        raise AccountError(str(error)) from None
    user.role = role
    return f"{user.email} is now {role}."


def _set_active(user: User, active: bool) -> str:
    """Disable or re-enable an account."""
    user.active, user.failed_logins, user.locked_until = active, 0, None
    return f"{user.email} is {'enabled' if active else 'disabled'}."


def _set_password(user: User, password: str) -> str:
    """Set a new password; the user's existing sessions end."""
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    return f"New password set for {user.email}."
