"""The navigation links each blueprint adds, shown only to roles that may follow them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, request

from helpline.auth.staff import Staff, rank


@dataclass(frozen=True)
class NavLink:
    """One entry in the top navigation."""

    label: str
    endpoint: str
    role: str


def add_nav_link(app: Flask, label: str, endpoint: str, role: str) -> None:
    """Add a link to the navigation for users with at least `role`."""
    rank(role)
    app.extensions.setdefault("helpline.nav", []).append(NavLink(label, endpoint, role))


def nav_links_for(staff: Staff | None) -> list[NavLink]:
    """Return the links this member of staff may see, in the order they were added."""
    if staff is None:
        return []
    links: list[NavLink] = current_app.extensions.get("helpline.nav", [])
    return [link for link in links if staff.can(link.role)]


@dataclass(frozen=True)
class NavBadge:
    """A count shown beside a link, in words everyone reads alike ("3 owed, 1 overdue")."""

    text: str
    urgent: bool = False


BadgeSource = Callable[[], "NavBadge | None"]


def add_nav_badge(app: Flask, endpoint: str, source: BadgeSource) -> None:
    """Show the badge `source` returns beside the link to `endpoint`."""
    app.extensions.setdefault("helpline.nav_badges", {})[endpoint] = source


def nav_badges_for(staff: Staff | None) -> dict[str, NavBadge]:
    """Return the badges for the links this member of staff sees; none for htmx fragments."""
    if staff is None or request.headers.get("HX-Request") == "true":
        return {}
    sources: dict[str, BadgeSource] = current_app.extensions.get("helpline.nav_badges", {})
    visible = {link.endpoint for link in nav_links_for(staff)}
    badges = {endpoint: source() for endpoint, source in sources.items() if endpoint in visible}
    return {endpoint: badge for endpoint, badge in badges.items() if badge is not None}
