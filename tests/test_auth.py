"""Accounts: sign-in, lockout, CSRF, roles, idle timeout, cookies, the users and tokens CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from helpline import create_app
from helpline.auth import role_required
from helpline.auth.tokens import digest
from helpline.db import get_database
from helpline.models import ApiToken, AuditEntry, User
from tests.auth_actions import PASSWORD, AuthActions
from tests.conftest import environment

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def set_clock(app: Flask, instant: datetime) -> None:
    """Move the app's clock."""
    app.extensions["helpline.clock"] = lambda: instant


def test_login_with_right_password_signs_in_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    email = auth.user("handler")
    response = auth.login(email)
    assert response.status_code == 302
    assert client.get("/login").status_code == 302  # already signed in
    with get_database(app).transaction() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "login" in actions


def test_wrong_password_is_refused_with_one_message(client: FlaskClient, auth: AuthActions) -> None:
    email = auth.user("handler")
    response = auth.login(email, "not the password at all")
    assert response.status_code == 200
    assert "did not match an active account" in response.get_data(as_text=True)
    unknown = auth.login("nobody@example.org", "not the password at all")
    assert "did not match an active account" in unknown.get_data(as_text=True)


def test_five_failures_lock_the_account_even_against_the_right_password(
    app: Flask, auth: AuthActions
) -> None:
    set_clock(app, NOON)
    email = auth.user("handler")
    for _ in range(5):
        auth.login(email, "wrong password guess")
    locked = auth.login(email)
    assert locked.status_code == 200
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    set_clock(app, NOON + timedelta(minutes=16))
    assert auth.login(email).status_code == 302


def test_one_address_guessing_many_emails_is_throttled(app: Flask, auth: AuthActions) -> None:
    set_clock(app, NOON)
    email = auth.user("handler")
    for index in range(20):
        auth.login(f"guess{index}@example.org", "wrong password guess")
    assert "Too many failed attempts" in auth.login(email).get_data(as_text=True)


def test_login_form_without_csrf_token_is_refused(client: FlaskClient, auth: AuthActions) -> None:
    email = auth.user("handler")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400


def test_next_only_goes_to_local_paths(client: FlaskClient, auth: AuthActions) -> None:
    email = auth.user("handler")
    data = {"email": email, "password": PASSWORD, "csrf_token": auth.csrf()}
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    auth.logout()
    data["csrf_token"] = auth.csrf()
    response = client.post("/login?next=/\\evil.example", data=data)
    assert response.headers["Location"] == "/"


def test_logout_signs_out(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as("handler")
    assert auth.logout().status_code == 302
    assert client.get("/login").status_code == 200


@pytest.fixture
def guarded_app(app: Flask) -> Flask:
    """Add a page and an API route that need the supervisor role."""

    @role_required("supervisor")
    def page() -> str:
        return "supervisor page"

    app.add_url_rule("/test-supervisor-page", "test_page", page)
    app.add_url_rule("/api/v1/test-supervisor", "test_api", page)
    return app


@pytest.mark.parametrize(
    ("role", "status"), [("handler", 403), ("supervisor", 200), ("admin", 200)]
)
def test_role_required_orders_roles(
    guarded_app: Flask, client: FlaskClient, login_as: Callable[[str], str], role: str, status: int
) -> None:
    login_as(role)
    assert client.get("/test-supervisor-page").status_code == status


def test_role_required_sends_anonymous_pages_to_login(
    guarded_app: Flask, client: FlaskClient
) -> None:
    response = client.get("/test-supervisor-page")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/test-supervisor-page")


def test_role_required_answers_the_api_in_json(
    guarded_app: Flask, client: FlaskClient, api_token: Callable[[str], str]
) -> None:
    anonymous = client.get("/api/v1/test-supervisor")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["status"] == 401
    handler = client.get(
        "/api/v1/test-supervisor", headers={"Authorization": f"Bearer {api_token('handler')}"}
    )
    assert handler.status_code == 403
    assert handler.get_json()["error"]
    supervisor = client.get(
        "/api/v1/test-supervisor", headers={"Authorization": f"Bearer {api_token('supervisor')}"}
    )
    assert supervisor.status_code == 200


def test_api_ignores_a_signed_in_session(
    guarded_app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    login_as("admin")
    assert client.get("/api/v1/test-supervisor").status_code == 401


def test_idle_session_is_signed_out(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    set_clock(app, NOON)
    auth.login_as("handler")
    set_clock(app, NOON + timedelta(minutes=20))
    assert client.get("/login").status_code == 302  # still signed in, activity recorded
    set_clock(app, NOON + timedelta(minutes=45))
    client.get("/login", headers={"X-Helpline-Poll": "1"})  # polling is not activity
    set_clock(app, NOON + timedelta(minutes=51))
    response = client.get("/login", follow_redirects=True)
    assert "signed out after a period of inactivity" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, auth: AuthActions) -> None:
    response = auth.login(auth.user("handler"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(database_url: str, tmp_path: Path) -> None:
    production = create_app(
        environment(database_url, HELPLINE_ENV="production"), instance_path=str(tmp_path)
    )
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    production.extensions["helpline.db"].dispose()


def test_start_up_with_no_users_says_how_to_create_the_first_admin(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        fresh = create_app(environment(database_url), instance_path=str(tmp_path))
    assert "create the first admin with: helpline users create" in caplog.text
    assert "helpline users create" in fresh.test_client().get("/login").get_data(as_text=True)
    fresh.extensions["helpline.db"].dispose()


def test_users_cli_creates_disables_and_resets(
    app: Flask, runner: FlaskCliRunner, auth: AuthActions
) -> None:
    args = ["users", "create", "--email", "Ann@Example.org", "--name", "Ann", "--role", "admin",
            "--password-stdin"]  # fmt: skip
    created = runner.invoke(args=args, input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert PASSWORD not in created.output
    with get_database(app).transaction() as session:
        user = session.scalars(select(User).where(User.email == "ann@example.org")).one()
        assert user.password_hash != PASSWORD and user.role == "admin"
    assert runner.invoke(args=args, input=PASSWORD + "\n").exit_code == 1  # duplicate
    reset = runner.invoke(args=["users", "reset-password", "ann@example.org"],
                          input="a brand new password\n")  # fmt: skip
    assert reset.exit_code == 0
    assert auth.login("ann@example.org", "a brand new password").status_code == 302
    auth.logout()
    assert runner.invoke(args=["users", "disable", "ann@example.org"]).exit_code == 0
    assert auth.login("ann@example.org", "a brand new password").status_code == 200


def test_users_cli_refuses_short_password_and_unknown_role(runner: FlaskCliRunner) -> None:
    base = ["users", "create", "--email", "b@example.org", "--name", "B", "--password-stdin"]
    short = runner.invoke(args=[*base, "--role", "handler"], input="short\n")
    assert short.exit_code == 1 and "at least 12" in short.output
    assert runner.invoke(args=[*base, "--role", "boss"], input=PASSWORD + "\n").exit_code == 2


def test_password_reset_ends_existing_sessions(
    client: FlaskClient, auth: AuthActions, runner: FlaskCliRunner
) -> None:
    email = auth.login_as("handler")
    runner.invoke(args=["users", "reset-password", email], input="another long password\n")
    assert client.get("/login").status_code == 200  # signed out


def test_tokens_cli_prints_a_token_once_and_stores_only_its_hash(
    app: Flask, runner: FlaskCliRunner, auth: AuthActions
) -> None:
    email = auth.user("handler")
    result = runner.invoke(args=["tokens", "create", "--email", email])
    assert result.exit_code == 0
    token = result.output.strip()
    with get_database(app).transaction() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [digest(token)]
    assert runner.invoke(args=["tokens", "create", "--email", "no@example.org"]).exit_code == 1


def test_disabled_users_token_is_refused(
    guarded_app: Flask, client: FlaskClient, api_token: Callable[[str], str], runner: FlaskCliRunner
) -> None:
    token = api_token("supervisor")
    runner.invoke(args=["users", "disable", "supervisor@example.org"])
    response = client.get("/api/v1/test-supervisor", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_bad_webhook_signature_is_still_a_plain_403(client: FlaskClient) -> None:
    assert client.post("/voice/incoming", data={"CallSid": "CA1"}).status_code == 403


def test_an_htmx_poll_after_the_session_ends_moves_the_whole_page_to_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    set_clock(app, NOON)
    auth.login_as("handler")
    set_clock(app, NOON + timedelta(hours=2))
    poll = {"HX-Request": "true", "X-Helpline-Poll": "1"}
    expired = client.get("/calls/rows", headers=poll)
    assert expired.status_code == 200 and expired.headers["HX-Redirect"] == "/login"
    assert expired.get_data() == b""
    anonymous = client.get("/calls/rows", headers=poll)
    assert anonymous.headers["HX-Redirect"].startswith("/login?next=/calls/rows")


def test_users_list_shows_roles_and_state(runner: FlaskCliRunner, auth: AuthActions) -> None:
    auth.user("handler")
    auth.user("admin")
    runner.invoke(args=["users", "disable", "handler@example.org"])
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert lines == [
        "admin@example.org\tTest Admin\tadmin\tactive",
        "handler@example.org\tTest Handler\thandler\tdisabled",
    ]


def test_an_incomplete_login_form_is_a_400_with_the_form_again(
    client: FlaskClient, auth: AuthActions
) -> None:
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": auth.csrf()})
    assert response.status_code == 400
    assert 'name="password"' in response.get_data(as_text=True)
