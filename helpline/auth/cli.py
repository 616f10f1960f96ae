"""`helpline users ...` and `helpline tokens create`: manage accounts from the shell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from helpline import current
from helpline.audit import record_audit
from helpline.auth.accounts import (
    AccountError,
    create_user,
    disable_user,
    find_user,
    reset_password,
)
from helpline.auth.tokens import issue_token
from helpline.db import get_database
from helpline.models import ROLES

CLI_ACTOR = "cli"


@click.group("users")
def users_cli() -> None:
    """Manage staff accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from stdin.")
@with_appcontext
def create_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password is read from standard input, never the command line."""
    password = read_password()
    with _account_change() as session:
        user = create_user(session, email, name, role, password)
        record_audit(session, CLI_ACTOR, "user_created", user.email, f"role={role}")
    click.echo(f"created {role} {user.email}")


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str) -> None:
    """Stop a user signing in or using their API tokens."""
    with _account_change() as session:
        user = disable_user(session, email)
        record_audit(session, CLI_ACTOR, "user_disabled", user.email)
    click.echo(f"disabled {user.email}")


@users_cli.command("reset-password")
@click.argument("email")
@with_appcontext
def reset_password_command(email: str) -> None:
    """Set a new password read from standard input; old sessions stop working."""
    password = read_password()
    with _account_change() as session:
        user = reset_password(session, email, password)
        record_audit(session, CLI_ACTOR, "password_reset", user.email)
    click.echo(f"password reset for {user.email}")


@users_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Print every user with their role and whether they are active."""
    from sqlalchemy import select

    from helpline.models import User

    with get_database().transaction() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            state = "active" if user.active else "disabled"
            click.echo(f"{user.email}\t{user.name}\t{user.role}\t{state}")


@click.group("tokens")
def tokens_cli() -> None:
    """Manage API tokens."""


@tokens_cli.command("create")
@click.option("--email", required=True)
@with_appcontext
def token_create_command(email: str) -> None:
    """Print a new API token for a user, once; only its hash is stored."""
    with _account_change() as session:
        user = find_user(session, email)
        if user is None or not user.active:
            raise AccountError(f"no active user with email {email.strip().lower()}")
        token = issue_token(session, user, current.now())
        record_audit(session, CLI_ACTOR, "token_created", user.email)
    click.echo(token)


def read_password() -> str:
    """Return the first line of standard input as the password."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError("no password on standard input")
    return password


@contextmanager
def _account_change() -> Iterator[Session]:
    """Run a change in one transaction, turning AccountError into a clean CLI error."""
    try:
        with get_database().transaction() as session:
            yield session
    except AccountError as error:
        raise click.ClickException(str(error)) from None
