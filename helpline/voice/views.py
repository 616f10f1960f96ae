"""Twilio voice webhooks. Each view: parse the form, ask the domain, answer with TwiML."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from helpline import phones
from helpline.calls.events import ContactEvent, EventKind
from helpline.routing import ClosurePeriod, RouteDecision, decide
from helpline.twiml import twiml_response
from helpline.voice import script
from helpline.voice.signature import require_twilio_signature

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_twilio_signature)


@bp.post("/incoming")
def incoming() -> Response:
    """Answer a new call with the main flow: greeting, 999 reminder, then by the clock."""
    from helpline.voice.flow_views import answer_call

    decision = route_now()
    turn = answer_call(decision)
    route = _route_record(decision) | {"ivr_path": turn.path, "waiting_on": turn.waiting_on}
    log_event("incoming", route=route)
    return twiml_response(turn.response)


@bp.post("/dial/<line>")
def dial_action(line: str) -> Response:
    """Continue after a <Dial> ends: done if connected, otherwise offer the next line."""
    dial_status = request.form.get("DialCallStatus", "")
    log_event("dial", route={"line": line})
    caller = phones.caller_from(request.form.get("From"))
    return twiml_response(script.after_dial(call_script(), line, dial_status, caller))


@bp.post("/status")
def status() -> tuple[str, int]:
    """Record a call progress event; Twilio only needs to hear that we have it."""
    log_event("status")
    return "", 204


@bp.post("/fallback")
def fallback() -> Response:
    """Answer when Twilio could not reach /voice/incoming: route with config alone."""
    log.error(
        "fallback webhook used: ErrorCode=%s ErrorUrl=%s",
        request.form.get("ErrorCode", "-"), request.form.get("ErrorUrl", "-"),
    )  # fmt: skip
    decision = route_now()
    caller = phones.caller_from(request.form.get("From"))
    log_event("fallback", route=_route_record(decision))
    return twiml_response(script.answer(call_script(), decision, caller))


@bp.errorhandler(Exception)
def voice_error(error: Exception) -> Response | HTTPException:
    """Never leave a caller with an error: on any failure, connect to the 24/7 line."""
    if isinstance(error, HTTPException) and error.code in (403, 405):
        return error
    log.exception("voice webhook %s failed; sending the caller to the support line", request.path)
    return twiml_response(script.last_resort(call_script()))


def route_now() -> RouteDecision:
    """Decide the route for this instant from config and the cached closures."""
    settings = current_app.extensions["helpline.settings"]
    return decide(now(), settings.calendar, _cached_closures())


def now() -> datetime:
    """Return the current instant from the app's clock."""
    clock: Callable[[], datetime] = current_app.extensions["helpline.clock"]
    return clock()


def _cached_closures() -> tuple[ClosurePeriod, ...]:
    """Return the in-memory closures, or none if the cache itself is unavailable."""
    cache = current_app.extensions.get("helpline.closures")
    return cache.current() if cache is not None else ()


def call_script() -> script.Script:
    """Return the call script with URLs built for this request's public address."""
    return script.Script(
        settings=current_app.extensions["helpline.settings"],
        dial_action_url=lambda line: url_for("voice.dial_action", line=line, _external=True),
    )


def _route_record(decision: RouteDecision) -> dict[str, object]:
    """Return what the call log keeps of a routing decision."""
    return decision.as_json() | {"outcome": decision.outcome}


def log_event(
    kind: EventKind,
    route: Mapping[str, object] | None = None,
    extra: Mapping[str, str] | None = None,
    call_sid: str | None = None,
) -> None:
    """Hand the event to the background writer; a bad request is logged, not fatal.

    Events about a dialled line's own call are filed under the caller's call (call_sid).
    """
    call_sid = (request.form.get("CallSid", "") if call_sid is None else call_sid).strip()
    if not call_sid:
        log.warning("%s webhook without a CallSid: not recorded", kind)
        return
    event = ContactEvent(
        kind=kind, call_sid=call_sid[:64], received_at=now(),
        params=request.form.to_dict() | dict(extra or {}), route=dict(route or {}),
    )  # fmt: skip
    current_app.extensions["helpline.writer"].submit(event)
