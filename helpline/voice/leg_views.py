"""Webhooks of a dialled line's own call (the child leg): its screening prompt and progress.

These run on the line's call, never the caller's: a failure here hangs up the line (the caller
goes on as for no answer) and never sends the line to the support number. No database is read.
"""

from __future__ import annotations

import logging

from flask import Response, request

from helpline import current
from helpline.calls.events import SCREENING_PARAM, EventKind
from helpline.flows import screening
from helpline.flows.model import Step
from helpline.twiml import twiml_response
from helpline.voice.views import callback_url, log_event

log = logging.getLogger(__name__)

LEG_HOOKS = frozenset({"screen", "screened", "leg"})


def leg_hook(flow: str, state: str, hook: str) -> Response | tuple[str, int]:
    """Answer the line's call: the screening prompt, the key pressed, or a progress event."""
    step = _dial_step(flow, state, screened=hook != "leg")
    if step is None:
        log.warning("line callback %s for %s/%s, which screens no line", hook, flow, state)
        return ("", 204) if hook == "leg" else twiml_response(screening.screened("ended"))
    if hook == "leg":
        _log_leg("leg", step, hook)
        return "", 204
    try:
        return _screen(step, hook)
    except Exception:  # never let an error here connect an unscreened line or dial elsewhere
        log.exception("screening webhook %s failed; hanging up the line", request.path)
        return twiml_response(screening.screened("ended"))


def _dial_step(flow: str, state: str, screened: bool) -> Step | None:
    """Return the dial step a line's callback belongs to (a screened one, if asked), or None."""
    try:
        step: Step = current.flows().step(flow, state)
    except KeyError:
        return None
    if step.type != "dial" or (screened and not step.prop("screening")):
        return None
    return step


def _screen(step: Step, hook: str) -> Response:
    """Play the screening prompt, or act on the key the answering party pressed."""
    answered_by = request.form.get("AnsweredBy", "")
    if hook == "screen" and not screening.is_machine(answered_by):
        action = callback_url(step.flow, step.name, "screened", {})
        reply = screening.whisper(current.prompts(), step, action)
        outcome = "asked"
    else:
        outcome = screening.decide(step, request.form.get("Digits", "").strip(), answered_by)
        reply = screening.screened(outcome)
    _log_leg("screening", step, hook, outcome)
    return twiml_response(reply)


def _log_leg(kind: EventKind, step: Step, hook: str, outcome: str | None = None) -> None:
    """File the line's event under the caller's call (Twilio's ParentCallSid)."""
    route = {"flow": step.flow, "state": step.name, "hook": hook, "line": step.prop("line")}
    # Kept with the event's parameters, so the call's event log shows each line's screening.
    extra = {SCREENING_PARAM: outcome} if outcome is not None else {}
    log_event(kind, route=route, extra=extra, call_sid=request.form.get("ParentCallSid", ""))
