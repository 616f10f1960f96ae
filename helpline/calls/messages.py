"""Store what a caller left through the flows: the path they took, voicemails, callbacks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpline.calls.events import ContactEvent, whole_seconds
from helpline.database import insert_for
from helpline.models import Call, CallbackRequest, CallEvent, Voicemail

NOT_KEPT = frozenset({"absent", "failed"})


def rebuild_path(session: Session, call: Call) -> None:
    """Set the call's IVR path from its events in the order they arrived (order-tolerant)."""
    query = (
        select(CallEvent.params)
        .where(CallEvent.call_id == call.id)
        .order_by(CallEvent.received_at, CallEvent.id)
    )
    path: list[str] = []
    for params in session.scalars(query):
        path += [str(entry) for entry in (params or {}).get("ivr_path", [])]
    call.ivr_path = path


def save_voicemail(session: Session, call: Call, event: ContactEvent) -> None:
    """Add (or complete) the voicemail a recording callback describes, on the call's case."""
    sid = event.params.get("RecordingSid", "").strip()
    # "absent" means Twilio heard silence: there is no message to keep.
    if not sid or call.case_id is None or event.params.get("RecordingStatus") in NOT_KEPT:
        return
    table = Voicemail.__table__
    values = {
        "recording_url": event.params.get("RecordingUrl") or None,
        "duration_seconds": whole_seconds(event.params.get("RecordingDuration")),
    }
    statement = (
        insert_for(session)(table)
        .values(
            call_id=call.id,
            case_id=call.case_id,
            recording_sid=sid[:64],
            created_at=event.received_at,
            **values,
        )
        .on_conflict_do_update(
            index_elements=[table.c.recording_sid],
            set_={
                key: func.coalesce(getattr(insert_for(session)(table).excluded, key), table.c[key])
                for key in values
            },
        )
    )
    session.execute(statement)


def save_callback(session: Session, call: Call, event: ContactEvent) -> None:
    """Add the callback the caller asked for, with their consent, to the call's case."""
    number = event.params.get("CallbackNumber") or None
    if number is None or call.case_id is None:
        return
    due = event.route.get("due_at")
    session.add(
        CallbackRequest(
            case_id=call.case_id,
            call_id=call.id,
            number=number[:20],
            safe_to_call=bool(event.route.get("safe_to_call")),
            may_leave_message=bool(event.route.get("may_leave_message")),
            source="ivr",
            status="pending",
            requested_at=event.received_at,
            due_at=datetime.fromisoformat(str(due)) if due else None,
        )
    )
