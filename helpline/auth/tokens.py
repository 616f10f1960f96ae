"""Per-user bearer tokens for the JSON API: shown once, only a hash kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline.auth.staff import Staff, staff_from
from helpline.models import ApiToken, User

PREFIX = "hlp_"


def digest(token: str) -> str:
    """Return the stored form of a token; tokens are long and random, so SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, now: datetime) -> str:
    """Create a token for a user and return it; it cannot be shown again."""
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token), created_at=now))
    return token


def staff_for_token(session: Session, token: str, now: datetime) -> Staff | None:
    """Return the active user a live token belongs to, noting when it was used."""
    query = (
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))
    )
    row = session.execute(query).first()
    if row is None or not row.User.active:
        return None
    row.ApiToken.last_used_at = now
    return staff_from(row.User)
