"""Sign in as any role from a test: an `AuthActions` helper and the fixtures built on it.

Registered from tests/conftest.py with `pytest_plugins`. Typical use::

    def test_dashboard(client, login_as):
        login_as("supervisor")
        assert client.get("/reports/").status_code == 200

    def test_form(auth):
        auth.login_as("handler")
        auth.post("/cases/HAR-2026-00001/notes", {"body": "..."})   # adds the CSRF token
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from helpline.auth.accounts import create_user, find_user
from helpline.auth.tokens import issue_token
from helpline.db import get_database
from helpline.models import utcnow

PASSWORD = "correct horse battery staple"
CSRF_PATTERN = re.compile(r'name="csrf-token" content="([^"]+)"')


class AuthActions:
    """Create accounts and sign in and out through the real login form."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def user(self, role: str, email: str | None = None, name: str | None = None) -> str:
        """Return the email of a user with this role, creating the account if needed."""
        email = email or f"{role}@example.org"
        with get_database(self.app).transaction() as session:
            if find_user(session, email) is None:
                create_user(session, email, name or f"Test {role.title()}", role, PASSWORD)
        return email

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        """Sign in through the form, CSRF token and all."""
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.csrf()}
        )

    def login_as(self, role: str) -> str:
        """Create (if needed) and sign in a user with this role; return their email."""
        email = self.user(role)
        response = self.login(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return email

    def logout(self) -> TestResponse:
        """Sign out through the form."""
        return self.client.post("/logout", data={"csrf_token": self.csrf()})

    def csrf(self) -> str:
        """Return a CSRF token valid for this client's session."""
        page = self.client.get("/login?csrf")
        if page.status_code == 302:  # signed in: any page carries the token in <meta>
            page = self.client.get("/__no_such_page__")
        match = CSRF_PATTERN.search(page.get_data(as_text=True))
        assert match, "no csrf-token meta tag in the page"
        return match.group(1)

    def post(self, path: str, data: dict[str, str | list[str]] | None = None,
             **kwargs: object) -> TestResponse:  # fmt: skip
        """POST a form with this session's CSRF token added."""
        form: dict[str, str | list[str]] = dict(data or {})
        form["csrf_token"] = self.csrf()
        return self.client.post(path, data=form, **kwargs)  # type: ignore[arg-type]

    def token(self, role: str, now: datetime | None = None) -> str:
        """Return a fresh API token for the test user with this role."""
        email = self.user(role)
        with get_database(self.app).transaction() as session:
            user = find_user(session, email)
            assert user is not None
            return issue_token(session, user, now or utcnow())


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> AuthActions:
    """Return sign-in helpers bound to the test client."""
    return AuthActions(app, client)


@pytest.fixture
def login_as(auth: AuthActions) -> Callable[[str], str]:
    """Return a function that signs the test client in with a role and returns the email."""
    return auth.login_as


@pytest.fixture
def api_token(auth: AuthActions) -> Callable[[str], str]:
    """Return a function that makes a bearer token for a user with the given role."""
    return auth.token
