"""The navigation links each blueprint adds, shown only to roles that may follow them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

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
