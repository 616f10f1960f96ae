"""Stale calls: ask Twilio how a call ended when its final status callback never came."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpline import current
from helpline.calls.events import TERMINAL_STATUSES, ContactEvent
from helpline.calls.recorder import record
from helpline.db import get_database
from helpline.jobs import JobContext
from helpline.jobs.settings import job_settings
from helpline.models import Call
from helpline.twilio.calls import fetch_call
from helpline.twilio.client import TwilioNotConfiguredError, credentials

UNKNOWN = "unknown"


def run(context: JobContext) -> Mapping[str, Any]:
    """Reconcile every call with no final status after the configured time."""
    limit = context.now - timedelta(minutes=job_settings(context.app).stale_call_minutes)
    with get_database(context.app).transaction() as session:
        sids = stale_call_sids(session, limit)
    try:
        credentials(context.app)
    except TwilioNotConfiguredError:
        context.say(f"{len(sids)} stale calls: not checked, Twilio credentials are not set")
        return {"stale": len(sids), "checked": 0}
    counts = {"stale": len(sids), "reconciled": 0, "unknown": 0, "still_live": 0, "failed": 0}
    for sid in sids:
        counts[_reconcile(context, sid)] += 1
    return counts


def stale_call_sids(session: Session, started_before: datetime) -> list[str]:
    """Return the calls started before the limit that have no final status yet."""
    query = (
        select(Call.call_sid)
        .where(
            Call.started_at < started_before,
            or_(Call.status.is_(None), Call.status.not_in([*TERMINAL_STATUSES, UNKNOWN])),
        )
        .order_by(Call.started_at)
    )
    return list(session.scalars(query))


def _reconcile(context: JobContext, sid: str) -> str:
    """Fetch one call from Twilio and fold its final status in; return what happened."""
    try:
        remote = fetch_call(sid, context.app)
    except Exception as error:  # Twilio unreachable: leave the call for the next run
        context.say(f"call {sid}: Twilio did not answer ({type(error).__name__})")
        return "failed"
    if remote is None:
        return _mark_unknown(context, sid)
    if remote.status not in TERMINAL_STATUSES:
        context.say(f"call {sid}: still {remote.status} at Twilio")
        return "still_live"
    context.say(f"call {sid}: {remote.status} according to Twilio")
    if not context.dry_run:
        with get_database(context.app).transaction() as session:
            prefix = current.settings(context.app).reference_prefix
            record(session, final_status_event(sid, remote, context.now), prefix)
    return "reconciled"


def final_status_event(sid: str, remote: Any, now: datetime) -> ContactEvent:
    """Return Twilio's answer as a status event, so it folds like a real callback."""
    ended = remote.end_time or now
    params = {
        "CallSid": sid,
        "CallStatus": str(remote.status),
        "CallbackSource": "reconciliation",
        "Timestamp": format_datetime(ended.astimezone(UTC)),
    }
    if remote.duration is not None and str(remote.duration).isdigit():
        params["CallDuration"] = str(remote.duration)
    return ContactEvent(kind="status", call_sid=sid, received_at=now, params=params)


def _mark_unknown(context: JobContext, sid: str) -> str:
    """Record that Twilio has no such call, so nobody can say how it ended."""
    context.say(f"call {sid}: Twilio does not know it; marked unknown")
    if not context.dry_run:
        with get_database(context.app).transaction() as session:
            call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
            call.status = UNKNOWN
    return UNKNOWN
