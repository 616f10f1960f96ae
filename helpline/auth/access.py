"""Who is asking, and whether their role lets them: pages redirect, the API answers JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from helpline import current
from helpline.auth.staff import Staff, rank
from helpline.auth.tokens import staff_for_token
from helpline.db import get_database

View = TypeVar("View", bound=Callable[..., Any])
API_PREFIX = "/api/"


def is_api_request() -> bool:
    """Return True for JSON API requests, which authenticate with bearer tokens only."""
    return request.path.startswith(API_PREFIX)


def current_actor() -> Staff | None:
    """Return the member of staff behind this request: token for the API, session otherwise."""
    if is_api_request():
        return _token_actor()
    if current_user.is_authenticated:
        return cast(Staff, current_user._get_current_object())
    return None


def actor_name() -> str:
    """Return the email of whoever is asking, for the audit log."""
    actor = current_actor()
    return actor.email if actor is not None else "anonymous"


def _token_actor() -> Staff | None:
    """Return (once per request) the user whose bearer token came with the request."""
    if "api_actor" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        g.api_actor = None
        if scheme.lower() == "bearer" and token.strip():
            with get_database().transaction() as session:
                g.api_actor = staff_for_token(session, token.strip(), current.now())
    actor: Staff | None = g.api_actor
    return actor


def role_required(role: str) -> Callable[[View], View]:
    """Refuse a view to anyone below `role`: anonymous -> login (or 401 JSON), others -> 403."""
    rank(role)  # an unknown role is a programming error: fail at import, not at request time

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refusal = refusal_for(role)
            return refusal if refusal is not None else view(*args, **kwargs)

        # Recorded on the view so tests can walk every route and check who it admits.
        guarded.required_role = role  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorator


def refusal_for(role: str) -> Response | None:
    """Return the response refusing this request, or None when the role is enough."""
    actor = current_actor()
    if actor is None:
        if is_api_request():
            return json_error(401, "a valid bearer token is required")
        return sign_in_redirect(request.full_path.rstrip("?"))
    if not actor.can(role):
        if is_api_request():
            return json_error(403, f"this needs the {role} role or above")
        abort(403)
    return None


def sign_in_redirect(next_path: str | None = None) -> Response:
    """Send the browser to sign in; an htmx poll is told to move the whole page, not swap."""
    target = url_for("auth.login", next=next_path) if next_path else url_for("auth.login")
    if request.headers.get("HX-Request") == "true":
        return Response("", 200, headers={"HX-Redirect": target})
    return redirect(target)


def json_error(status: int, message: str) -> Response:
    """Return a JSON error body with the status set."""
    response = jsonify(error=message, status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="helpline"'
    return response
