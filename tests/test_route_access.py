"""Walk every route in the app for anonymous, handler, supervisor and admin.

Every route except sign-in, health probes, static files and the (signature-checked) Twilio
webhooks must be guarded by `role_required`, and must refuse everyone below that role:
pages redirect anonymous visitors to sign in, the API answers 401; the wrong role gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.routing import AnyConverter, BaseConverter, IntegerConverter, Rule

from helpline.auth.staff import rank
from tests.auth_actions import AuthActions

PUBLIC = {"static", "auth.login", "auth.logout", "health.healthz", "health.readyz"}
ROLES = (None, "handler", "supervisor", "admin")


@dataclass(frozen=True)
class Route:
    """One rule to try: its endpoint, a concrete URL, the method and the role it needs."""

    endpoint: str
    url: str
    method: str
    required: str


def guarded_routes(app: Flask) -> list[Route]:
    """Return every non-public route with a URL built from placeholder arguments."""
    routes = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint.startswith("voice."):
            continue
        required = getattr(app.view_functions[rule.endpoint], "required_role", None)
        assert required is not None, f"{rule.rule} ({rule.endpoint}) has no role_required"
        url = adapter.build(rule.endpoint, placeholders(rule))
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        routes.append(Route(rule.endpoint, url, method, required))
    return routes


def placeholders(rule: Rule) -> dict[str, object]:
    """Return a value for each of a rule's arguments that its converter accepts."""
    return {name: placeholder(rule._converters.get(name)) for name in rule.arguments}


def placeholder(converter: BaseConverter | None) -> object:
    """Return an integer, one of an `any` converter's choices, or a case reference."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "HAR-2026-00001"


def test_the_walk_covers_every_part_of_the_app(app: Flask) -> None:
    endpoints = {route.endpoint.split(".")[0] for route in guarded_routes(app)}
    assert {"calls", "cases", "callbacks", "audit", "api"} <= endpoints
    assert len(guarded_routes(app)) >= 20


@pytest.mark.parametrize("role", ROLES, ids=[str(role) for role in ROLES])
def test_every_route_refuses_the_wrong_role(app: Flask, role: str | None) -> None:
    client = app.test_client()
    auth = AuthActions(app, client)
    headers = {}
    if role is not None:
        auth.login_as(role)
        headers = {"Authorization": f"Bearer {auth.token(role)}"}
    problems = []
    for route in guarded_routes(app):
        is_api = route.url.startswith("/api/")
        data = {"csrf_token": auth.csrf()} if route.method == "POST" else None
        response = client.open(route.url, method=route.method, data=data,
                               headers=headers if is_api else {})  # fmt: skip
        expected = expectation(role, route, is_api)
        if not expected(response.status_code, response.headers.get("Location", "")):
            problems.append(f"{route.method} {route.url}: {response.status_code}")
    assert problems == []


def expectation(role: str | None, route: Route, is_api: bool) -> object:
    """Return a check of (status, location) for this role on this route."""
    if role is None:
        if is_api:
            return lambda status, _: status == 401
        return lambda status, location: status == 302 and location.startswith("/login")
    if rank(role) < rank(route.required):
        return lambda status, _: status == 403
    return lambda status, location: status not in (401, 403) and status < 500 and not (
        location.startswith("/login"))  # fmt: skip


def test_webhooks_refuse_unsigned_requests(app: Flask) -> None:
    """Every /voice/ route, whatever its arguments, refuses an unsigned request."""
    client = app.test_client()
    values = {"line": "harmony", "flow": "harmony", "state": "greeting", "hook": "gather"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("voice."):
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            assert client.post(url, data={"CallSid": "CA1"}).status_code == 403, url
