"""The voice blueprint and what every webhook shares: the clock, the route, the event log."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from helpline import current
from helpline.calls.events import ContactEvent, EventKind
from helpline.routing import ClosurePeriod, RouteDecision, decide
from helpline.twilio.signatures import require_twilio_signature
from helpline.twiml import twiml_response
from helpline.voice.last_resort import last_resort

log = logging.getLogger(__name__)

bp = Blueprint("voice", __name__, url_prefix="/voice")
bp.before_request(require_twilio_signature)


@bp.post("/status")
def status() -> tuple[str, int]:
    """Record a call progress event; Twilio only needs to hear that we have it."""
    log_event("status")
    return "", 204


@bp.errorhandler(Exception)
def voice_error(error: Exception) -> Response | HTTPException:
    """Never leave a caller with an error: on any failure, connect to the 24/7 line."""
    if isinstance(error, HTTPException) and error.code in (403, 405):
        return error
    log.exception("voice webhook %s failed; sending the caller to the support line", request.path)
    settings = current.settings()
    action = url_for("voice.dial_action", line=settings.calendar.always_open.key, _external=True)
    # A failure after a <Dial> may follow a last resort already: dial once more, then let it end.
    return twiml_response(
        last_resort(settings, None if request.endpoint == "voice.dial_action" else action)
    )


def route_now() -> RouteDecision:
    """Decide the route for this instant from config and the cached closures."""
    settings = current.settings()
    return decide(current.now(), settings.calendar, _cached_closures())


def _cached_closures() -> tuple[ClosurePeriod, ...]:
    """Return the in-memory closures, or none if the cache itself is unavailable."""
    cache = current_app.extensions.get(current.CLOSURES)
    return cache.current() if cache is not None else ()


def callback_url(flow: str, state: str, hook: str, query: Mapping[str, str]) -> str:
    """Return the public URL Twilio should call back for a flow step."""
    return url_for("voice.flow_hook", flow=flow, state=state, hook=hook, _external=True, **query)


def route_record(decision: RouteDecision) -> dict[str, object]:
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
    route = dict(route or {})
    if "line" in route:
        # The routing order travels with a line's events, so the fold can tell which came later.
        route["lines"] = list(current.settings().calendar.keys)
    event = ContactEvent(
        kind=kind,
        call_sid=call_sid[:64],
        received_at=current.now(),
        params=request.form.to_dict() | dict(extra or {}),
        route=route,
    )
    current.writer().submit(event)
