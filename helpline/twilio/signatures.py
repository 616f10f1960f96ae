"""Check X-Twilio-Signature on every webhook, and see the public URL behind proxies."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from twilio.request_validator import RequestValidator
from werkzeug.middleware.proxy_fix import ProxyFix

from helpline import current
from helpline.config import Settings
from helpline.twilio.numbers import overrides_fragment

log = logging.getLogger(__name__)


def require_twilio_signature() -> None:
    """Abort with 403 unless the request is signed by Twilio with our auth token."""
    settings: Settings = current.settings()
    if not settings.verify_signatures:
        return
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token
    if token and signature and _signed(RequestValidator(token), signature):
        return
    # Never log the form: it carries the caller's number.
    problem = (
        "no auth token configured" if not token else ("missing" if not signature else "invalid")
    )
    log.warning("rejected webhook %s: signature %s", request.path, problem)
    abort(403)


def _signed(validator: RequestValidator, signature: str) -> bool:
    """Check the URL we were called at, then with the Voice URL's connection overrides.

    The overrides fragment is never sent to us; accepting it too keeps calls flowing whether or
    not Twilio signs the URL with it.
    """
    urls = (request.url, request.url + overrides_fragment())
    return any(validator.validate(url, request.form, signature) for url in urls)


class PublicURL:
    """WSGI middleware: make request URLs match HELPLINE_PUBLIC_BASE_URL, as Twilio signed them."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.scheme, self.host, self.prefix = parts.scheme, parts.netloc, parts.path.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Rewrite scheme, host and script name, then call the app."""
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def init_app(app: Flask, settings: Settings) -> None:
    """Install the middleware that recovers the URL Twilio called."""
    if settings.public_base_url:
        app.wsgi_app = PublicURL(app.wsgi_app, settings.public_base_url)  # type: ignore[method-assign]
    elif settings.proxy_hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
            x_port=settings.proxy_hops,
            x_prefix=settings.proxy_hops,
        )


def warn_if_unguarded(settings: Settings) -> None:
    """Say loudly, when serving, that webhooks are open to anyone or refused to everyone."""
    if not settings.verify_signatures:
        log.warning("WEBHOOK SIGNATURE CHECKS ARE OFF (development only): anyone can post calls")
    elif not settings.twilio_auth_token:
        log.warning("TWILIO_AUTH_TOKEN is not set: every webhook will be refused")
