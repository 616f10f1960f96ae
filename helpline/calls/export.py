"""Stream every logged call, oldest first, as CSV or JSON rows without holding them in memory."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from helpline.models import Call, Case

COLUMNS = (
    "call_sid",
    "case_reference",
    "from_number",
    "withheld",
    "to_number",
    "started_at",
    "answered_at",
    "ended_at",
    "route_open",
    "route_line",
    "route_reason",
    "status",
    "dial_line",
    "dial_status",
    "duration_seconds",
    "talk_seconds",
    "ivr_path",
    # Who answered the last line rung (person, machine_or_declined, no_answer) and its screening.
    "answered_by",
    "screening",
    "leg_line",
    "leg_ringing_at",
    "leg_answered_at",
)
BATCH = 1000


def calls_query(since: datetime | None, until: datetime | None) -> Select[Call, str]:
    """Return the calls in [since, until), oldest first, with their case reference."""
    query = select(Call, Case.reference).outerjoin(Case, Call.case_id == Case.id)
    if since is not None:
        query = query.where(Call.started_at >= since)
    if until is not None:
        query = query.where(Call.started_at < until)
    return query.order_by(Call.started_at, Call.id)


def rows(
    session: Session, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Yield one export row per call, fetched in batches from a server-side cursor."""
    query = calls_query(since, until).execution_options(yield_per=BATCH)
    for call, reference in session.execute(query):
        yield row_for(call, reference)
        session.expunge(call)


def row_for(call: Call, reference: str | None) -> dict[str, Any]:
    """Return the export shape of one call."""
    return {
        "call_sid": call.call_sid,
        "case_reference": reference,
        "from_number": call.from_number,
        "withheld": call.withheld,
        "to_number": call.to_number,
        "started_at": _iso(call.started_at),
        "answered_at": _iso(call.answered_at),
        "ended_at": _iso(call.ended_at),
        "route_open": call.route_open,
        "route_line": call.route_line,
        "route_reason": call.route_reason,
        "status": call.status,
        "dial_line": call.dial_line,
        "dial_status": call.dial_status,
        "duration_seconds": call.duration_seconds,
        "talk_seconds": call.talk_seconds,
        "ivr_path": call.ivr_path or [],
        "answered_by": call.answered_by,
        "screening": call.screening,
        "leg_line": call.leg_line,
        "leg_ringing_at": _iso(call.leg_ringing_at),
        "leg_answered_at": _iso(call.leg_answered_at),
    }


def _iso(value: datetime | None) -> str | None:
    """Return an aware UTC datetime as ISO 8601 with a Z."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def as_json(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Yield a JSON array piece by piece."""
    yield "["
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(record)
    yield "\n]\n"


def as_csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Yield CSV text line by line, header first; the IVR path becomes a > separated list."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record | {"ivr_path": " > ".join(map(str, record["ivr_path"]))})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
