"""Webhooks that run the call flow: a new call, the fallback, and the flows' own callbacks."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Callable

from flask import Response, request
from twilio.twiml.voice_response import VoiceResponse

from helpline import current, phones
from helpline.calls.events import whole_seconds
from helpline.flows.interpreter import CallContext, Input, Turn, resume, start
from helpline.flows.kinds import KINDS
from helpline.flows.model import FlowSet, Step
from helpline.routing import RouteDecision
from helpline.twiml import twiml_response
from helpline.voice import callers, leg_views
from helpline.voice.views import bp, callback_url, log_event, route_now, route_record

log = logging.getLogger(__name__)

QUERY_KEYS = ("attempt", "stage", "safe", "message", "trail", "v")


@bp.post("/incoming")
def incoming() -> Response:
    """Answer a new call with the main flow: greeting, 999 reminder, then by the clock."""
    decision = route_now()
    turn = answer_call(decision)
    route = route_record(decision) | {"ivr_path": turn.path, "waiting_on": turn.waiting_on}
    log_event("incoming", route=route)
    return twiml_response(turn.response)


@bp.post("/fallback")
def fallback() -> Response:
    """Answer when Twilio could not reach /voice/incoming: the flow, with config alone."""
    form = request.form
    log.error(
        "fallback webhook used: ErrorCode=%s ErrorUrl=%s",
        form.get("ErrorCode", "-"),
        form.get("ErrorUrl", "-"),
    )
    decision = route_now()
    log_event("fallback", route=route_record(decision))
    # The database may be what failed: every caller counts as new, so no lookup is made; and
    # lines are dialled unscreened, as the prompt would need this struggling service to answer.
    call = dataclasses.replace(context(decision, lambda: "new"), screening=False)
    turn = start(current.flows(), current.prompts(), call)
    return twiml_response(turn.response)


@bp.post("/dial/<line>")
def dial_action(line: str) -> Response:
    """Continue a call dialled by an older release as the flow's own dial of that line would."""
    log_event("dial", route={"line": line})
    step = _dial_step(line)
    if step is None:
        log.warning("dial outcome for line %r, which no flow dials; ending the call", line)
        response = VoiceResponse()
        response.hangup()
        return twiml_response(response)
    # Those dials were never screened, so an answered line was a person: ignore DialBridged.
    given = Input(dial_status=request.form.get("DialCallStatus", ""))
    flows, prompts = (
        current.flows(),
        current.prompts(),
    )
    turn = resume(flows, prompts, context(route_now()), step.flow, step.name, "dial", given)
    return twiml_response(turn.response)


def _dial_step(line: str) -> Step | None:
    """Return the main flow's step that dials a line (any flow's, failing that)."""
    flows: FlowSet = current.flows()
    ordered = sorted(flows.flows.values(), key=lambda flow: flow.name != flows.main)
    for flow in ordered:
        for step in flow.states.values():
            if step.type == "dial" and step.prop("line") == line:
                return step
    return None


def answer_call(decision: RouteDecision) -> Turn:
    """Run the main flow from its start for a new call."""
    return start(current.flows(), current.prompts(), context(decision))


@bp.post("/flow/<flow>/<state>/<hook>")
def flow_hook(flow: str, state: str, hook: str) -> Response | tuple[str, int]:
    """Continue a call after a <Gather>, <Dial> or <Record> of a flow step."""
    if hook == "recording":
        log_event("recording", route={"flow": flow, "state": state, "hook": hook})
        return "", 204
    if hook in leg_views.LEG_HOOKS:
        return leg_views.leg_hook(flow, state, hook)
    given = _input()
    turn = resume(
        current.flows(),
        current.prompts(),
        context(route_now()),
        flow,
        state,
        hook,
        given,
    )
    _log_turn(flow, state, hook, given, turn)
    return twiml_response(turn.response)


def _log_turn(flow: str, state: str, hook: str, given: Input, turn: Turn) -> None:
    """Hand the writer the path taken, the dial outcome, and any callback asked for."""
    route: dict[str, object] = {"flow": flow, "state": state, "hook": hook, "ivr_path": turn.path}
    route["waiting_on"] = turn.waiting_on
    route |= {key: given.query[key] for key in ("attempt", "stage", "v") if key in given.query}
    step = current.flows().step(flow, state)
    kind = KINDS[step.type]
    route |= {key: step.prop(key) for key in kind.logged}
    log_event(kind.event, route=route)
    consent = turn.callback
    if consent is not None:
        consented: dict[str, object] = {
            "safe_to_call": consent.safe_to_call,
            "may_leave_message": consent.may_leave_message,
        }
        log_event(
            "callback",
            route=consented | {"flow": flow, "state": state, "due_at": consent.due_at.isoformat()},
            extra={"CallbackNumber": consent.number},
        )


def context(decision: RouteDecision, caller_kind: Callable[[], str] | None = None) -> CallContext:
    """Return what the interpreter may know about this call (whether it is known, if given)."""
    settings = current.settings()
    caller = phones.caller_from(request.form.get("From"))
    database = current.database()

    def kind() -> str:
        if caller.number is None:
            return "new"
        return callers.caller_kind(database, caller.number, settings.flows.caller_lookup_seconds)

    return CallContext(
        decision=decision,
        caller=caller,
        now=current.now(),
        calendar=settings.calendar,
        url=callback_url,
        caller_kind=caller_kind or kind,
        visit=secrets.token_hex(4),
    )


def _input() -> Input:
    """Read what Twilio sent (keys, speech, dial or recording outcome) and our query string."""
    form = request.form
    try:
        confidence = float(form.get("Confidence", "0") or 0)
    except ValueError:
        confidence = 0.0
    return Input(
        digits=form.get("Digits", "").strip()[:32],
        speech=form.get("SpeechResult", "")[:500],
        confidence=confidence,
        dial_status=form.get("DialCallStatus", ""),
        dial_bridged=form.get("DialBridged", "").strip().lower()[:8],
        recording_sid=form.get("RecordingSid", "")[:64],
        recording_seconds=whole_seconds(form.get("RecordingDuration")) or 0,
        query={key: request.args[key][:2000] for key in QUERY_KEYS if key in request.args},
    )
