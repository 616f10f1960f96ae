"""The navigation links the app lists, shown only to roles that may follow them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request

from helpline.auth.staff import Staff, rank


@dataclass(frozen=True)
class NavLink:
    """One entry in the top navigation."""

    label: str
    endpoint: str
    role: str


@dataclass(frozen=True)
class NavBadge:
    """A count shown beside a link, in words everyone reads alike ("3 owed, 1 overdue")."""

    text: str
    urgent: bool = False


BadgeSource = Callable[[], "NavBadge | None"]


@dataclass
class Navigation:
    """The staff pages' links, in order, and the counts shown beside some of them."""

    links: list[NavLink] = field(default_factory=list)
    badges: dict[str, BadgeSource] = field(default_factory=dict)

    def add_link(self, label: str, endpoint: str, role: str) -> None:
        """Add a link for users with at least `role`."""
        rank(role)  # an unknown role fails at start-up, not when someone signs in
        self.links.append(NavLink(label, endpoint, role))

    def add_badge(self, endpoint: str, source: BadgeSource) -> None:
        """Show the badge `source` returns beside the link to `endpoint`."""
        self.badges[endpoint] = source

    def links_for(self, staff: Staff | None) -> list[NavLink]:
        """Return the links this member of staff may see, in the order they were added."""
        if staff is None:
            return []
        return [link for link in self.links if staff.can(link.role)]

    def badges_for(self, staff: Staff | None) -> dict[str, NavBadge]:
        """Return the badges for the links this member of staff sees; none for htmx fragments."""
        if staff is None or request.headers.get("HX-Request") == "true":
            return {}
        visible = {link.endpoint for link in self.links_for(staff)}
        found = {
            endpoint: source() for endpoint, source in self.badges.items() if endpoint in visible
        }
        return {endpoint: badge for endpoint, badge in found.items() if badge is not None}
