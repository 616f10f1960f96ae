"""Create, check, lock and disable staff accounts. Plain functions over a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from helpline.auth.staff import Staff, rank, staff_from
from helpline.models import User

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# Checked against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(Exception):
    """An account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt."""

    staff: Staff | None
    locked: bool = False


def hash_password(password: str) -> str:
    """Return a salted hash of a password after checking it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return generate_password_hash(password)


def create_user(session: Session, email: str, name: str, role: str, password: str) -> User:
    """Add a user; refuse an unknown role, a short password or an email already in use."""
    try:
        rank(role)
    except ValueError as error:
        raise AccountError(str(error)) from None
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountError(f"a user with email {email} already exists")
    if not name.strip():
        raise AccountError("name must not be empty")
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def normalise_email(email: str) -> str:
    """Return an email in the one form we store and look up."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 200:
        raise AccountError(f"not an email address: {email!r}")
    return email


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this email, if any."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def count_users(session: Session) -> int:
    """Return how many accounts exist."""
    return session.scalar(select(func.count()).select_from(User)) or 0


def authenticate(session: Session, email: str, password: str, now: datetime) -> LoginResult:
    """Check a password, counting failures and locking the account after too many."""
    user = find_user(session, email)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, locked=True)
    if not check_password_hash(user.password_hash, password):
        _count_failure(user, now)
        return LoginResult(None, locked=user.locked_until is not None)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    return LoginResult(staff_from(user))


def _count_failure(user: User, now: datetime) -> None:
    """Add a failed attempt; the fifth in a row locks the account for a while."""
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until, user.failed_logins = now + LOCK_FOR, 0


def disable_user(session: Session, email: str) -> User:
    """Stop a user signing in or using API tokens."""
    user = _require(session, email)
    user.active = False
    return user


def reset_password(session: Session, email: str, password: str) -> User:
    """Set a new password, unlock the account and sign out its old sessions."""
    user = _require(session, email)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    return user


def _require(session: Session, email: str) -> User:
    """Return the user with this email or raise AccountError."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"no user with email {email.strip().lower()}")
    return user
