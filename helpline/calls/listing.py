"""The live and recent calls list: outcome labels, filters and search, as one query."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import Session

from helpline import phones
from helpline.models import Call, Case
from helpline.reports.definitions import has_voicemail, is_answered, is_in_hours

RINGING = ("queued", "initiated", "ringing")
OUTCOMES = ("ringing", "in progress", "answered", "voicemail", "missed", "unanswered")
LINES = ("harmony", "out_of_hours")
REFERENCE = re.compile(r"^\s*HAR-\d{4}-\d{1,6}\s*$", re.IGNORECASE)
LIMIT = 200


def outcome() -> ColumnElement[str]:
    """Return one label per call: live states first, then how it ended."""
    return case(
        (Call.status.in_(RINGING), "ringing"),
        (Call.status == "in-progress", "in progress"),
        (is_answered(), "answered"),
        (has_voicemail(), "voicemail"),
        (is_in_hours(), "missed"),
        else_="unanswered",
    )


@dataclass(frozen=True)
class CallFilters:
    """What the handler asked to see; every field optional."""

    since: date | None = None
    until: date | None = None
    line: str | None = None
    outcome: str | None = None
    withheld: bool | None = None
    search: str = ""

    @property
    def searched_number(self) -> str | None:
        """Return the search as an E.164 number, if it reads as one and not as a reference."""
        if not self.search or REFERENCE.match(self.search):
            return None
        return phones.to_e164(self.search)

    @property
    def searched_reference(self) -> str | None:
        """Return the search as a case reference in canonical form, if it is one."""
        if not REFERENCE.match(self.search):
            return None
        _, year, number = self.search.strip().upper().split("-")
        return f"HAR-{year}-{int(number):05d}"

    @property
    def unreadable_search(self) -> bool:
        """Return True when the search is neither a phone number nor a case reference."""
        return bool(self.search) and not (self.searched_number or self.searched_reference)


def filters_from(args: Mapping[str, str]) -> CallFilters:
    """Read filters from a query string, ignoring values that do not parse."""
    withheld = {"yes": True, "no": False}.get(args.get("withheld", ""))
    return CallFilters(
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        line=args.get("line") if args.get("line") in LINES else None,
        outcome=args.get("outcome") if args.get("outcome") in OUTCOMES else None,
        withheld=withheld,
        search=(args.get("q") or "").strip()[:60],
    )


def _date(text: str | None) -> date | None:
    """Return an ISO date, or None for a blank or malformed one."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def calls_query(filters: CallFilters, zone: ZoneInfo) -> Select[Call, str, str]:
    """Return newest-first calls with their case reference and outcome label, filtered."""
    label = outcome().label("outcome")
    query = select(Call, Case.reference, label).outerjoin(Case, Call.case_id == Case.id)
    for condition in _conditions(filters, zone):
        query = query.where(condition)
    if filters.outcome:
        query = query.where(outcome() == filters.outcome)
    return query.order_by(Call.started_at.desc(), Call.id.desc()).limit(LIMIT)


def _conditions(filters: CallFilters, zone: ZoneInfo) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions for the date, line, withheld and search filters."""
    conditions: list[ColumnElement[bool]] = []
    if filters.since:
        conditions.append(Call.started_at >= _local_midnight(filters.since, zone))
    if filters.until:
        conditions.append(Call.started_at < _local_midnight(filters.until + timedelta(1), zone))
    if filters.line:
        conditions.append(Call.route_line == filters.line)
    if filters.withheld is not None:
        conditions.append(Call.withheld.is_(filters.withheld))
    if filters.searched_reference:
        conditions.append(Case.reference == filters.searched_reference)
    elif filters.search:
        conditions.append(Call.from_number == (filters.searched_number or "-"))
    return conditions


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the start of a local day as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=zone)


def recent_calls(session: Session, filters: CallFilters, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Return the rows of the calls list, numbers masked."""
    return [
        {"call": call, "reference": reference, "outcome": label,
         "caller": phones.mask(call.from_number)}
        for call, reference, label in session.execute(calls_query(filters, zone))
    ]  # fmt: skip


def outcomes_by_call(session: Session, case_id: int) -> dict[int, str]:
    """Return each of a case's calls' outcome label, by call id."""
    query = select(Call.id, outcome()).where(Call.case_id == case_id)
    return {call_id: label for call_id, label in session.execute(query)}
