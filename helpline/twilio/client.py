"""The one place that builds Twilio's REST client and the HttpClient every request goes through."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from helpline import current

# Tests (and a future proxy set-up) put a twilio.http.HttpClient here to carry every request.
HTTP_CLIENT_EXTENSION = "helpline.twilio_http"
# Twilio's client waits forever by default; a job or a person at a terminal should not.
TIMEOUT_SECONDS = 10.0
# Twilio's client logs every request's URL and headers at INFO: noise on the command line, and
# query strings can carry phone numbers. Only its warnings are worth keeping.
REQUEST_LOG = logging.getLogger("helpline.twilio.requests")
REQUEST_LOG.setLevel(logging.WARNING)


class TwilioNotConfiguredError(Exception):
    """TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set."""


def credentials(app: Flask | None = None) -> tuple[str, str]:
    """Return the account SID and auth token; raise if either is missing."""
    settings = current.settings(app)
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise TwilioNotConfiguredError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set")
    return settings.twilio_account_sid, settings.twilio_auth_token


def http_client(app: Flask | None = None) -> HttpClient:
    """Return the app's HttpClient, installing Twilio's own (with a timeout) on first use."""
    extensions = (app or current_app).extensions
    if HTTP_CLIENT_EXTENSION not in extensions:
        extensions.setdefault(HTTP_CLIENT_EXTENSION, default_http_client())
    client: HttpClient = extensions[HTTP_CLIENT_EXTENSION]
    return client


def default_http_client() -> HttpClient:
    """Return Twilio's HTTP client, keeping binary bodies (recordings) byte for byte."""
    # No pooled session: one requests.Session shared by every web thread is not thread-safe.
    hooks = {"response": [_bytes_as_text]}
    return TwilioHttpClient(
        pool_connections=False, timeout=TIMEOUT_SECONDS, request_hooks=hooks, logger=REQUEST_LOG
    )


def _bytes_as_text(response: Any, *args: Any, **kwargs: Any) -> None:
    """Decode non-text bodies as Latin-1, which maps each byte to one character and back."""
    # Twilio's HttpClient hands every body back as text; audio would otherwise be mangled.
    kind = response.headers.get("Content-Type", "")
    if not kind.startswith(("text/", "application/json")):
        response.encoding = "latin-1"


def twilio_client(app: Flask | None = None) -> Client:
    """Return a REST client for the configured account; raise if credentials are missing."""
    account_sid, auth_token = credentials(app)
    return Client(account_sid, auth_token, http_client=http_client(app))


def answered_status(error: Exception) -> int | None:
    """Return the HTTP status of Twilio's answer behind error, or None if it never answered."""
    if isinstance(error, TwilioRestException):
        return int(error.status)
    # A failed list page is a plain TwilioException carrying the response.
    response = error.args[1] if isinstance(error, TwilioException) and len(error.args) > 1 else None
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_not_found(error: Exception) -> bool:
    """Return True if Twilio answered that the resource does not exist (HTTP 404)."""
    return answered_status(error) == 404


def is_refusal(error: Exception) -> bool:
    """Return True if Twilio refused the credentials (HTTP 401 or 403)."""
    return answered_status(error) in (401, 403)
