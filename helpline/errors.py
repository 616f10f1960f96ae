"""How the service answers an error outside the webhooks: plainly, never with a stack trace.

The webhooks answer their own errors (voice/views.py): a caller always hears a line, never an
error page.
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from helpline.auth.access import is_api_request, json_error
from helpline.voice.views import voice_error

# The client errors a person or an API client can cause; each gets a page or a JSON reply.
CLIENT_ERRORS = (400, 401, 403, 404, 405)


def client_error(error: HTTPException) -> Response | HTTPException | tuple[str, int]:
    """Answer a client error as JSON for the API and as a plain page otherwise."""
    status = error.code or 500
    if request.blueprint == "voice":
        # Code-specific handlers outrank the webhooks' catch-all: hand back to it, so a
        # caller still hears the support line rather than an error page.
        return voice_error(error)
    if is_api_request():
        return json_error(status, error.description or error.name)
    return render_template("error.html", error=error), status


def server_error(_error: Exception) -> tuple[str, int]:
    """Answer a failure plainly: the log has the details, the person gets a sentence."""
    return "Something went wrong. The team has been told.", 500
