"""Staff accounts and access: sign-in, roles, CSRF, API tokens.

Other blueprints need only `role_required(role)` and, for navigation, `add_nav_link`.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from helpline.auth.access import (
    actor_name,
    current_actor,
    is_api_request,
    json_error,
    role_required,
)
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
    """Set up cookies, Flask-Login, CSRF on every form, the idle timeout and error pages."""
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
    for status in (400, 401, 403, 404, 405):
        app.register_error_handler(status, http_error)


def http_error(error: HTTPException) -> Response | HTTPException | tuple[str, int]:
    """Answer a client error as JSON for the API and as a plain page otherwise."""
    status = error.code or 500
    if request.blueprint == "voice":
        # Code-specific handlers outrank the webhooks' catch-all: hand back to it, so a
        # caller still hears the support line rather than an error page.
        from helpline.voice.views import voice_error

        return voice_error(error)
    if is_api_request():
        return json_error(status, error.description or error.name)
    return render_template("error.html", error=error), status
