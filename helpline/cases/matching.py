"""Which cases are one caller's, and which safety decision each of them shows. Pure.

A caller is known by phone number: the number they rang from, a number they keyed in for a
callback while withholding theirs, and the numbers of calls moved onto their case. Two cases
are the same caller's when they share one of those numbers. Retention erases the numbers
after its period, and the link goes with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SafetyDecision:
    """A handler's answer to "is it safe to call back / leave a message", on one case."""

    case_id: int
    reference: str
    call_back: bool | None
    leave_message: bool | None
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class Safety:
    """The flags a case shows: the newest decision among all of the caller's cases."""

    case_id: int
    decision: SafetyDecision | None

    @property
    def carried(self) -> bool:
        """Return True when the decision was made on another of the caller's cases."""
        return self.decision is not None and self.decision.case_id != self.case_id

    @property
    def call_back(self) -> bool | None:
        """Return whether it is safe to call back; None when nobody has decided."""
        return self.decision.call_back if self.decision else None

    @property
    def leave_message(self) -> bool | None:
        """Return whether a message may be left; None when nobody has decided."""
        return self.decision.leave_message if self.decision else None


def linked_cases(
    case_id: int,
    numbers_by_case: Mapping[int, Set[str]],
    cases_by_number: Mapping[str, Set[int]],
) -> frozenset[int]:
    """Return the other cases that share a phone number with this one."""
    linked: set[int] = set()
    for number in numbers_by_case.get(case_id, ()):
        linked |= cases_by_number.get(number, set())
    return frozenset(linked - {case_id})


def newest_decision(decisions: Iterable[SafetyDecision]) -> SafetyDecision | None:
    """Return the most recent decision (ties go to the later case)."""
    return max(decisions, key=lambda decision: (decision.set_at, decision.case_id), default=None)


def safety_of(
    case_id: int, linked: Iterable[int], decisions: Mapping[int, SafetyDecision]
) -> Safety:
    """Return the flags a case shows: its own decision or a newer one from a linked case."""
    candidates = [decisions[other] for other in (case_id, *linked) if other in decisions]
    return Safety(case_id, newest_decision(candidates))


def is_new_decision(shown: Safety, call_back: bool | None, leave_message: bool | None) -> bool:
    """Return True when a handler's answer differs from what the case shows now.

    Saving the form unchanged must not turn a carried decision into one of this case's own:
    it keeps its provenance ("from HAR-…, set by …") until someone actually changes it.
    """
    return (call_back, leave_message) != (shown.call_back, shown.leave_message)
