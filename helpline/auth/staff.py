"""The signed-in member of staff as plain data, and the role order."""

from __future__ import annotations

from dataclasses import dataclass

from helpline.models import ROLES, User


@dataclass(frozen=True)
class Staff:
    """Who is using the app: enough to check roles and name them in the audit log."""

    id: int
    email: str
    name: str
    role: str
    # Changes when the password does, so a reset signs out every old session.
    session_key: str = ""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session cookie."""
        return f"{self.id}:{self.session_key}"

    def can(self, role: str) -> bool:
        """Return True when this member of staff's role is at least the given one."""
        return rank(self.role) >= rank(role)


def rank(role: str) -> int:
    """Return a role's place in the order handler < supervisor < admin."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return ROLES.index(role)


def staff_from(user: User) -> Staff:
    """Return the plain-data view of a user row."""
    return Staff(user.id, user.email, user.name, user.role, session_key_for(user))


def session_key_for(user: User) -> str:
    """Return a short fingerprint of the password hash, bound into the session id."""
    import hashlib

    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
