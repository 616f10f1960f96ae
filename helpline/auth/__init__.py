"""Staff accounts and access: sign-in, roles, CSRF, API tokens.

Other blueprints need only `role_required(role)`; app.py lists the navigation (`add_nav_link`).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from helpline.auth.access import actor_name, current_actor, role_required
from helpline.auth.nav import NavBadge, add_nav_badge, add_nav_link, nav_badges_for, nav_links_for
from helpline.auth.session import (
    configure_cookies,
    enforce_idle_timeout,
    make_login_manager,
)
from helpline.auth.staff import Staff
from helpline.auth.throttle import AddressThrottle
from helpline.auth.views import bp
from helpline.config import Settings

__all__ = [
    "NavBadge",
    "Staff",
    "actor_name",
    "add_nav_badge",
    "add_nav_link",
    "bp",
    "current_actor",
    "init_app",
    "role_required",
]

csrf = CSRFProtect()


def init_app(app: Flask, settings: Settings) -> None:
    """Set up cookies, Flask-Login, CSRF on every form, the idle timeout and the navigation."""
    from helpline import voice

    configure_cookies(app, settings)
    make_login_manager(app)
    csrf.init_app(app)
    csrf.exempt(voice.bp)  # Twilio signs its webhooks instead
    app.extensions["helpline.login_throttle"] = AddressThrottle()
    app.before_request(enforce_idle_timeout)
    app.context_processor(
        lambda: {
            "nav_links": nav_links_for(current_actor()),
            "nav_badges": nav_badges_for(current_actor()),
            "actor": current_actor(),
        }
    )
