"""Seed a database with a year of realistic calls, fast, for the report benchmark."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from helpline.config import Calendar
from helpline.models import Call, CallbackRequest, Case, Voicemail
from helpline.routing import decide

BATCH = 10_000
# Share of calls starting in each local hour: busy in the working day, quiet at night.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 9, 12, 12, 11, 10, 11, 11, 10, 9, 7, 6, 5, 4, 3, 2, 1]


def seed(session: Session, calendar: Calendar, calls: int, year: int, seed: int = 7) -> None:
    """Insert `calls` calls across a year, with their cases and some voicemails."""
    rng = random.Random(seed)
    callers = [f"+4477009{n:05d}" for n in range(max(calls // 7, 1))]
    case_ids = _seed_cases(session, callers, year)
    next_case = len(callers) + 1
    batch: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    voicemails: list[dict[str, Any]] = []
    callbacks: list[dict[str, Any]] = []
    for number in range(1, calls + 1):
        row = _call(rng, calendar, number, year, callers)
        if row["from_number"] is None:
            row["case_id"] = next_case
            cases.append(_case(next_case, None, row["started_at"]))
            next_case += 1
        else:
            row["case_id"] = case_ids[row["from_number"]]
        batch.append(row)
        if row.pop("voicemail"):
            voicemails.append(
                {"call_id": number, "case_id": row["case_id"], "recording_sid": f"RE{number:032x}",
                 "duration_seconds": 30, "created_at": row["started_at"]}
            )  # fmt: skip
        if row.pop("callback"):
            callbacks.append(_callback(rng, number, row))
        if len(batch) == BATCH:
            _flush(session, cases, batch, voicemails, callbacks)
    _flush(session, cases, batch, voicemails, callbacks)


def _callback(rng: random.Random, number: int, row: dict[str, Any]) -> dict[str, Any]:
    """Return a callback asked for in the menu: most made within hours, some late, some owed."""
    asked = row["started_at"] + timedelta(seconds=row["duration_seconds"])
    chance = rng.random()
    done = None
    if chance < 0.8:
        done = asked + timedelta(minutes=rng.randint(10, 240))
    elif chance < 0.9:
        done = asked + timedelta(hours=rng.randint(24, 96))
    return {"case_id": row["case_id"], "call_id": number, "number": row["from_number"],
            "safe_to_call": True, "source": "ivr", "status": "done" if done else "pending",
            "requested_at": asked, "completed_at": done}  # fmt: skip


def _flush(session: Session, *pending: list[dict[str, Any]]) -> None:
    """Insert and clear the pending cases, calls, voicemails and callbacks, in that order."""
    cases, batch, voicemails, callbacks = pending
    for model, rows in ((Case, cases), (Call, batch), (Voicemail, voicemails),
                        (CallbackRequest, callbacks)):  # fmt: skip
        if rows:
            session.execute(insert(model), rows)
    for rows in pending:
        rows.clear()


def _seed_cases(session: Session, callers: list[str], year: int) -> dict[str, int]:
    """Insert one case per known caller, opened at the start of the year; return ids by number."""
    opened = datetime(year, 1, 1, tzinfo=UTC)
    rows = [_case(n, number, opened) for n, number in enumerate(callers, start=1)]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Case), rows[start : start + BATCH])
    return {number: n for n, number in enumerate(callers, start=1)}


def _case(case_id: int, number: str | None, opened: datetime) -> dict[str, Any]:
    """Return a case row."""
    return {"id": case_id, "reference": f"HAR-B-{case_id:08d}", "caller_number": number,
            "withheld": number is None, "status": "closed", "opened_at": opened}  # fmt: skip


def _call(
    rng: random.Random, calendar: Calendar, number: int, year: int, callers: list[str]
) -> dict[str, Any]:
    """Return one call row with a plausible route and outcome."""
    started = _instant(rng, year)
    decision = _route(started, calendar)
    withheld = rng.random() < 0.06
    line = decision.line
    outcome = rng.random()
    answered, talk, dial_status = outcome < 0.62, 0, "no-answer"
    if answered:
        talk, dial_status = rng.randint(30, 1800), "completed"
    elif outcome < 0.80:
        dial_status = "canceled"
    ring = rng.randint(3, 40)
    return {
        "id": number, "call_sid": f"CA{number:032x}", "from_number": None if withheld else
        rng.choice(callers), "withheld": withheld, "to_number": "+441785000000",
        "started_at": started, "route_open": decision.open, "route_line": line,
        "route_reason": decision.reason, "status": "completed", "answered_at": started,
        "ended_at": started + timedelta(seconds=ring + talk), "duration_seconds": ring + talk,
        "dial_line": line if outcome < 0.95 else None, "dial_status": dial_status
        if outcome < 0.95 else None, "talk_seconds": talk if outcome < 0.95 else None,
        "ivr_path": [], "voicemail": 0.80 <= outcome < 0.85, "callback": 0.85 <= outcome < 0.87,
    }  # fmt: skip


def _instant(rng: random.Random, year: int) -> datetime:
    """Return a random instant in the year, weighted to the working day (UK time)."""
    day = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(365))
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    return day + timedelta(hours=hour, seconds=rng.randrange(3600))


_ROUTES: dict[datetime, Any] = {}


def _route(instant: datetime, calendar: Calendar) -> Any:
    """Return routing's decision; opening hours change on the hour, so cache per UTC hour."""
    hour = instant.replace(minute=0, second=0, microsecond=0)
    if hour not in _ROUTES:
        _ROUTES[hour] = decide(hour, calendar)
    return _ROUTES[hour]
