"""The administrators' users page: add, change role, disable, reset password; all audited."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry, User
from tests.auth_actions import PASSWORD, AuthActions


def user_row(app: Flask, email: str) -> User:
    """Return a user's row."""
    with get_database(app).transaction() as session:
        return session.scalars(select(User).where(User.email == email)).one()


def test_admin_adds_a_user_who_can_then_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login_as("admin")
    form = {"email": "New@Example.org", "name": "New Person", "role": "handler",
            "password": PASSWORD}  # fmt: skip
    assert auth.post("/admin/users/", form).status_code == 302
    assert "new@example.org" in client.get("/admin/users/").get_data(as_text=True)
    auth.logout()
    assert auth.login("new@example.org").status_code == 302
    with get_database(app).transaction() as session:
        assert "user_created" in session.scalars(select(AuditEntry.action)).all()


def test_short_password_and_duplicate_email_are_refused(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login_as("admin")
    auth.post("/admin/users/", {"email": "a@example.org", "name": "A", "role": "handler",
                                "password": "short"})  # fmt: skip
    assert "at least 12 characters" in client.get("/admin/users/").get_data(as_text=True)
    auth.post("/admin/users/", {"email": "admin@example.org", "name": "A", "role": "handler",
                                "password": PASSWORD})  # fmt: skip
    assert "already exists" in client.get("/admin/users/").get_data(as_text=True)


def test_admin_changes_role_disables_and_resets_password(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    email = auth.user("handler")
    target = user_row(app, email).id
    auth.login_as("admin")
    auth.post(f"/admin/users/{target}", {"action": "role", "role": "supervisor"})
    assert user_row(app, email).role == "supervisor"
    auth.post(f"/admin/users/{target}", {"action": "password", "password": "a fresh long password"})
    auth.post(f"/admin/users/{target}", {"action": "disable"})
    assert user_row(app, email).active is False
    auth.post(f"/admin/users/{target}", {"action": "role", "role": "overlord"})
    assert user_row(app, email).role == "supervisor"
    auth.logout()
    assert auth.login(email, "a fresh long password").status_code == 200  # disabled


def test_admin_cannot_change_their_own_account(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    email = auth.login_as("admin")
    own = user_row(app, email).id
    auth.post(f"/admin/users/{own}", {"action": "disable"})
    assert "Ask another administrator" in client.get("/admin/users/").get_data(as_text=True)
    assert user_row(app, email).active is True


def test_users_page_is_for_admins_only(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as("supervisor")
    assert client.get("/admin/users/").status_code == 403
    assert auth.post("/admin/users/1", {"action": "disable"}).status_code == 403
