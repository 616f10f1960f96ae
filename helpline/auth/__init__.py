"""Staff accounts and access: sign-in, roles, CSRF, API tokens.

Other blueprints need only `role_required(role)`; app.py lists the navigation (`Navigation`).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from helpline import current
from helpline.auth.access import actor_name, current_actor, role_required
from helpline.auth.nav import NavBadge, Navigation
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
    "Navigation",
    "Staff",
    "actor_name",
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
    current.install(app, login_throttle=AddressThrottle(), navigation=Navigation())
    app.before_request(enforce_idle_timeout)
    app.context_processor(
        lambda: {
            "nav_links": current.navigation().links_for(current_actor()),
            "nav_badges": current.navigation().badges_for(current_actor()),
            "actor": current_actor(),
        }
    )
