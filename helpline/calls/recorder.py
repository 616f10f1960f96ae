"""Apply one ContactEvent to the database: append it to the log, fold it into the call."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpline import phones
from helpline.calls import messages
from helpline.calls.events import LEG_KINDS, STATE_FIELDS, CallState, ContactEvent
from helpline.calls.folding import fold
from helpline.cases.opening import case_for_caller
from helpline.database import insert_for
from helpline.models import Call, CallEvent


def record(session: Session, event: ContactEvent, reference_prefix: str) -> bool:
    """Record an event; return False if it was a repeat and changed nothing.

    A caller's first contact opens a case whose reference starts with reference_prefix.
    """
    call = _locked_call(session, event)
    if not _append(session, call, event):
        return False
    state = fold(_state_of(call), event)
    for name in STATE_FIELDS:
        setattr(call, name, getattr(state, name))
    if event.kind in LEG_KINDS:
        return True  # the line's own call knows nothing of the caller: their events will follow
    _fill_in_caller(call, event)
    if call.case_id is None:
        caller = phones.Caller(call.from_number)
        call.case = case_for_caller(session, caller, call.started_at, reference_prefix)
        session.flush()
    _keep_flow_outcome(session, call, event)
    return True


def _keep_flow_outcome(session: Session, call: Call, event: ContactEvent) -> None:
    """Store what the event adds from the IVR flow: path steps, a voicemail or a callback."""
    if event.kind == "recording":
        messages.save_voicemail(session, call, event)
    elif event.kind == "callback":
        messages.save_callback(session, call, event)
    if event.ivr_path:
        messages.rebuild_path(session, call)


def _fill_in_caller(call: Call, event: ContactEvent) -> None:
    """Take the caller's numbers from the first caller's event after the line's events."""
    if call.to_number is None and event.params.get("To"):
        caller = phones.caller_from(event.params.get("From"))
        call.from_number, call.withheld = caller.number, caller.withheld
        call.to_number = phones.to_e164(event.params.get("To", ""))


def _locked_call(session: Session, event: ContactEvent) -> Call:
    """Create the call row if this is the first we hear of it, then lock it."""
    # The line's own call has the line as To and our caller ID as From: not the caller's numbers.
    params = {} if event.kind in LEG_KINDS else event.params
    caller = phones.caller_from(params.get("From"))
    statement = (
        insert_for(session)(Call)
        .values(
            call_sid=event.call_sid,
            started_at=event.event_at or event.received_at,
            from_number=caller.number,
            withheld=caller.withheld,
            to_number=phones.to_e164(params.get("To", "")),
            ivr_path=[],
        )
        .on_conflict_do_nothing(index_elements=["call_sid"])
    )
    session.execute(statement)
    query = select(Call).where(Call.call_sid == event.call_sid).with_for_update()
    return session.scalars(query).one()


def _append(session: Session, call: Call, event: ContactEvent) -> bool:
    """Append the event to the immutable log; return False if it is already there."""
    statement = (
        insert_for(session)(CallEvent)
        .values(
            call_id=call.id,
            kind=event.kind,
            dedupe_key=event.dedupe_key,
            call_status=event.params.get("CallStatus") or None,
            sequence_number=event.sequence,
            event_at=event.event_at,
            received_at=event.received_at,
            params=event.loggable_params()
            | ({"ivr_path": event.ivr_path} if event.ivr_path else {}),
        )
        .on_conflict_do_nothing(index_elements=["call_id", "dedupe_key"])
        .returning(CallEvent.id)
    )
    return session.execute(statement).scalar() is not None


def _state_of(call: Call) -> CallState:
    """Return the call's current state as a plain value."""
    return CallState(**{name: getattr(call, name) for name in STATE_FIELDS})
