"""The live and recent calls list: outcome labels, filters, search, repeat calls and safety."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, ColumnElement, ScalarSelect, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from helpline import phones
from helpline.calls.whereabouts import LIVE_STATUSES
from helpline.cases.history import links_for, safety_for
from helpline.cases.references import canonical_reference
from helpline.models import Call, CallbackRequest, CallEvent, Case, CaseDetail
from helpline.reports.definitions import has_voicemail, is_answered, is_in_hours

RINGING = ("queued", "initiated", "ringing")
OUTCOMES = ("ringing", "in progress", "answered", "voicemail", "missed", "unanswered")
LIMIT = 200
# A call, its case reference, outcome label, place among the case's calls, safety, last event.
ListingQuery = Select[Call, str, str, int, bool | None, bool, datetime]
LIVE_LIMIT = 50
MISSED_CALL = "missed_call"  # a callback the team owes for a missed call, not the caller's ask
# What each outcome is called on every page; "missed" is an in-hours call nobody answered.
OUTCOME_WORDS = {
    "ringing": "Ringing",
    "in progress": "In progress",
    "answered": "Answered",
    "voicemail": "Left a message",
    "missed": "Missed",
    "unanswered": "Not answered",
}


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
class CallRow:
    """One call as the list shows it: its case, outcome, place among the case's calls, safety."""

    call: Call
    reference: str | None
    outcome: str
    caller: str
    call_number: int | None
    call_back: bool | None
    community_trigger: bool
    last_heard_at: datetime


@dataclass(frozen=True)
class CallFilters:
    """What the handler asked to see; every field optional."""

    since: date | None = None
    until: date | None = None
    line: str | None = None
    outcome: str | None = None
    withheld: bool | None = None
    search: str = ""
    unreadable_dates: tuple[str, ...] = ()  # typed dates that were not dates, shown back

    @property
    def searched_number(self) -> str | None:
        """Return the search as an E.164 number, if it reads as one and not as a reference."""
        if not self.search or canonical_reference(self.search):
            return None
        return phones.to_e164(self.search)

    @property
    def searched_reference(self) -> str | None:
        """Return the search as a case reference in canonical form, if it is one."""
        return canonical_reference(self.search)

    @property
    def unreadable_search(self) -> bool:
        """Return True when the search is neither a phone number nor a case reference."""
        return bool(self.search) and not (self.searched_number or self.searched_reference)


def filters_from(args: Mapping[str, str], lines: Collection[str]) -> CallFilters:
    """Read filters from a query string, ignoring values that do not parse or name no line."""
    withheld = {"yes": True, "no": False}.get(args.get("withheld", ""))
    typed = (args.get("since") or "", args.get("until") or "")
    return CallFilters(
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        line=args.get("line") if args.get("line") in lines else None,
        outcome=args.get("outcome") if args.get("outcome") in OUTCOMES else None,
        withheld=withheld,
        search=(args.get("q") or "").strip()[:60],
        unreadable_dates=tuple(text[:40] for text in typed if text and _date(text) is None),
    )


def _date(text: str | None) -> date | None:
    """Return an ISO date, or None for a blank or malformed one."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def listing_query(filters: CallFilters, zone: ZoneInfo) -> ListingQuery:
    """Return calls with their case, outcome label, place among the case's calls and safety."""
    query = (
        select(
            Call,
            Case.reference,
            outcome().label("outcome"),
            _call_number(),
            _call_back(),
            CaseDetail.community_trigger,
            _last_heard(),
        )
        .outerjoin(Case, Call.case_id == Case.id)
        .outerjoin(CaseDetail, CaseDetail.case_id == Call.case_id)
    )
    for condition in _conditions(filters, zone):
        query = query.where(condition)
    if filters.outcome:
        query = query.where(outcome() == filters.outcome)
    return query


def _call_number() -> ScalarSelect[int]:
    """Return how many calls the case had up to and including this one (1 = first)."""
    earlier = aliased(Call)
    up_to_this = or_(
        earlier.started_at < Call.started_at,
        and_(earlier.started_at == Call.started_at, earlier.id <= Call.id),
    )
    query = select(func.count(earlier.id)).where(earlier.case_id == Call.case_id, up_to_this)
    return query.correlate(Call).scalar_subquery()


def _call_back() -> ColumnElement[bool | None]:
    """Return the case's safe-to-call-back flag, as the case page shows it.

    A handler's recorded answer wins; otherwise the consent the caller last gave when
    asking for a callback; otherwise unknown (None).
    """
    consent = (
        select(CallbackRequest.safe_to_call)
        .where(CallbackRequest.case_id == Call.case_id, CallbackRequest.source != MISSED_CALL)
        .order_by(CallbackRequest.requested_at.desc(), CallbackRequest.id.desc())
        .limit(1)
        .correlate(Call)
        .scalar_subquery()
    )
    return func.coalesce(CaseDetail.safe_to_call_back, consent, type_=Boolean)


def _last_heard() -> ScalarSelect[datetime]:
    """Return when the newest event about the call arrived."""
    query = select(func.max(CallEvent.received_at)).where(CallEvent.call_id == Call.id)
    return query.correlate(Call).scalar_subquery()


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


def live_calls(session: Session, filters: CallFilters, zone: ZoneInfo) -> list[CallRow]:
    """Return the calls still on the line, longest first."""
    query = listing_query(filters, zone).where(Call.status.in_(LIVE_STATUSES))
    return _rows(session, query.order_by(Call.started_at, Call.id).limit(LIVE_LIMIT))


def recent_calls(session: Session, filters: CallFilters, zone: ZoneInfo) -> list[CallRow]:
    """Return the calls that have ended (or never said how), newest first."""
    ended = or_(Call.status.is_(None), Call.status.not_in(LIVE_STATUSES))
    query = listing_query(filters, zone).where(ended)
    return _rows(session, query.order_by(Call.started_at.desc(), Call.id.desc()).limit(LIMIT))


def _rows(session: Session, query: ListingQuery) -> list[CallRow]:
    """Run a listing query into rows, numbers masked, safety carried from the caller's cases."""
    found = list(session.execute(query))
    case_ids = {row[0].case_id for row in found if row[0].case_id}
    links = links_for(session, case_ids)  # worked out once: both the flag and the count use it
    carried = safety_for(session, case_ids, links)
    elsewhere = _calls_on_linked_cases(session, links)
    rows = []
    for call, reference, label, number, call_back, trigger, heard in found:
        # The caller's place among all their calls, earlier cases included: a repeat caller
        # ringing on a new case must not look like a first-time caller.
        number += bisect_left(elsewhere.get(call.case_id or 0, []), call.started_at)
        # A handler's decision on any of this caller's cases (the newest) beats consent given.
        safety = carried.get(call.case_id) if call.case_id else None
        decided = safety.call_back if safety and safety.call_back is not None else call_back
        row = CallRow(
            call=call,
            reference=reference,
            outcome=label,
            caller=phones.mask(call.from_number),
            call_number=number if reference else None,
            call_back=decided,
            community_trigger=bool(trigger),
            last_heard_at=heard or call.started_at,
        )
        rows.append(row)
    return rows


def _calls_on_linked_cases(
    session: Session, links: Mapping[int, frozenset[int]]
) -> dict[int, list[datetime]]:
    """Return, for each case, when the calls on the caller's other cases started, in order."""
    linked = set().union(*links.values()) if links else set()
    starts: dict[int, list[datetime]] = {}
    query = select(Call.case_id, Call.started_at).where(Call.case_id.in_(linked))
    for case_id, started_at in session.execute(query):
        starts.setdefault(case_id or 0, []).append(started_at)
    return {
        case_id: sorted(at for other in others for at in starts.get(other, []))
        for case_id, others in links.items()
    }


def outcome_words(label: str, answered_by: str | None = None) -> str:
    """Return an outcome label as the pages say it, naming the line that answered."""
    if label == "answered" and answered_by:
        return f"Answered by the {answered_by}"
    return OUTCOME_WORDS.get(label, label.capitalize())


def outcomes_by_call(session: Session, case_id: int) -> dict[int, str]:
    """Return each of a case's calls' outcome label, by call id."""
    query = select(Call.id, outcome()).where(Call.case_id == case_id)
    return {call_id: label for call_id, label in session.execute(query)}
