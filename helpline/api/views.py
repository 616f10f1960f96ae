"""`GET /api/v1/calls` and `GET /api/v1/cases/<reference>` for handlers and above."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request, stream_with_context
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from helpline import current
from helpline.audit import record_audit
from helpline.auth import actor_name, role_required
from helpline.auth.access import json_error
from helpline.calls import export
from helpline.cases import record
from helpline.cases.history import safety_for
from helpline.cases.matching import Safety
from helpline.db import get_database
from helpline.models import Call, CallbackRequest, Case, User
from helpline.reports.periods import PeriodError, Span, parse_span

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/calls")
@role_required("handler")
def calls() -> Response:
    """Stream the calls started in [since, until) in the export's shape, oldest first."""
    zone = current.settings().calendar.timezone
    try:
        span = parse_span(request.args.get("since"), request.args.get("until"), zone)
    except PeriodError as error:
        return json_error(400, str(error))
    with get_database().transaction() as session:
        record_audit(session, actor_name(), "api_calls_exported", "calls", _described(span))
    rows = stream_with_context(_call_rows(span))
    return current_app.response_class(rows, mimetype="application/json")


def _call_rows(span: Span) -> Iterator[str]:
    """Yield the JSON array of calls piece by piece inside one read transaction."""
    with get_database().transaction() as session:
        yield from export.as_json(export.rows(session, span.since, span.until))


def _described(span: Span) -> str:
    """Describe an export's period for the audit log."""
    since, until = span.since, span.until
    return (
        f"since={since.isoformat() if since else '-'} until={until.isoformat() if until else '-'}"
    )


@bp.get("/cases/<reference>")
@role_required("handler")
def case(reference: str) -> Response:
    """Return one case with its calls, notes, outcome, callbacks and history."""
    with get_database().transaction() as session:
        found = record.find_case(session, reference)
        if found is None:
            return json_error(404, f"no case {reference.upper()}")
        body = case_json(session, found)
        record_audit(session, actor_name(), "case_viewed", found.reference, "api")
    return jsonify(body)


def case_json(session: Session, case: Case) -> dict[str, Any]:
    """Return the JSON shape of a case."""
    detail = record.detail_for(session, case)
    assignee = session.get(User, detail.assigned_to_id) if detail.assigned_to_id else None
    merged = session.get(Case, detail.merged_into_id) if detail.merged_into_id else None
    return {
        "reference": case.reference,
        "status": case.status,
        "caller_number": case.caller_number,
        "withheld": case.withheld,
        "opened_at": _iso(case.opened_at),
        "closed_at": _iso(case.closed_at),
        "merged_into": merged.reference if merged else None,
        "assigned_to": assignee.email if assignee else None,
        "categories": detail.categories,
        "referrals": detail.referrals,
        "community_trigger": detail.community_trigger,
        "safe_to_call_back": detail.safe_to_call_back,
        "safe_to_leave_message": detail.safe_to_leave_message,
        "safety": _safety_json(safety_for(session, [case.id])[case.id]),
        "calls": [export.row_for(call, case.reference) for call in _calls(session, case)],
        "notes": [
            {"author": n.author, "body": n.body, "created_at": _iso(n.created_at)}
            for n in record.notes_of(session, case)
        ],
        "callbacks": [_callback_json(c) for c in record.callbacks_of(session, case)],
        "history": [
            {"at": _iso(c.at), "actor": c.actor, "kind": c.kind, "detail": c.detail}
            for c in record.history_of(session, case)
        ],
    }


def _safety_json(safety: Safety) -> dict[str, Any]:
    """Return the flags the case shows: the newest decision on any of the caller's cases."""
    decision = safety.decision
    return {
        "safe_to_call_back": safety.call_back,
        "safe_to_leave_message": safety.leave_message,
        "decided_on": decision.reference if decision else None,
        "set_by": decision.set_by if decision else None,
        "set_at": _iso(decision.set_at) if decision else None,
    }


def _calls(session: Session, case: Case) -> list[Call]:
    """Return the case's calls, oldest first."""
    query = select(Call).where(Call.case_id == case.id)
    return list(session.scalars(query.order_by(Call.started_at, Call.id)))


def _callback_json(callback: CallbackRequest) -> dict[str, Any]:
    """Return the JSON shape of a callback request."""
    return {
        "status": callback.status,
        "source": callback.source,
        "requested_at": _iso(callback.requested_at),
        "due_at": _iso(callback.due_at),
        "safe_to_call": callback.safe_to_call,
        "may_leave_message": callback.may_leave_message,
        "completed_at": _iso(callback.completed_at),
        "completed_by": callback.completed_by,
        "outcome": callback.outcome,
    }


def _iso(value: datetime | None) -> str | None:
    """Return an aware UTC datetime as ISO 8601 with a Z."""
    return value.isoformat().replace("+00:00", "Z") if value else None
