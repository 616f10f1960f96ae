"""The contact-centre measures, worked out from a period's tallies. Pure.

Outcome tallies are keyed "routed line|outcome|dialled line" and time-to-answer tallies
"answering line|seconds" (see live.py); definitions.py says what each word means. An
answered call's outcome is named by the line that answered it (answered_<line>). A line
filter of None means every line; lines are the config's keys in routing order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpline.reports.definitions import ABANDONED, ANSWERED, answered_on, outcome_keys
from helpline.reports.figures import percentile

if TYPE_CHECKING:
    from helpline.reports.figures import Volumes

NONE = "-"  # the key part for a call with no routed or dialled line


@dataclass(frozen=True)
class Waits:
    """Time to answer of the answered calls: how many, mean, 90th percentile, within target."""

    count: int
    mean: float | None
    p90: int | None
    within: int


def outcome_totals(
    outcomes: Mapping[str, int], lines: Sequence[str], route: str | None = None
) -> dict[str, int]:
    """Return the calls in each outcome (every outcome present), for one routed line or all."""
    totals = dict.fromkeys(outcome_keys(lines), 0)
    for key, calls in outcomes.items():
        routed, result, dialled = key.split("|")
        if route is None or routed == route:
            result = answered_on(dialled) if result == ANSWERED else result
            totals[result] = totals.get(result, 0) + calls
    return totals


def routed_lines(outcomes: Mapping[str, int], lines: Sequence[str]) -> list[str]:
    """Return the lines calls were routed to, in routing order; lines no longer set up last."""
    routed = {key.split("|")[0] for key in outcomes}
    order = {line: place for place, line in enumerate(lines)}
    return sorted(routed, key=lambda line: (order.get(line, len(order)), line == NONE, line))


def abandoned_where(outcomes: Mapping[str, int], route: str | None = None) -> dict[str, int]:
    """Return where callers gave up: "menu", or the line that was ringing."""
    where: Counter[str] = Counter()
    for key, calls in outcomes.items():
        routed, result, dialled = key.split("|")
        if result in ABANDONED and (route is None or routed == route):
            where["menu" if result == "abandoned_menu" else dialled] += calls
    return dict(where)


def waits(times: Mapping[str, int], threshold: int, line: str | None = None) -> Waits:
    """Return the time-to-answer figures of the calls answered on a line (or all)."""
    pairs: Counter[int] = Counter()
    for key, calls in times.items():
        answering, _, seconds = key.partition("|")
        if line is None or answering == line:
            pairs[int(seconds)] += calls
    count = sum(pairs.values())
    mean = round(sum(s * n for s, n in pairs.items()) / count, 1) if count else None
    within = sum(n for s, n in pairs.items() if s <= threshold)
    return Waits(count, mean, percentile(sorted(pairs.items()), count, 0.9), within)


def ringing_abandoned(outcomes: Mapping[str, int], line: str | None = None) -> int:
    """Return the calls abandoned while a line (or any line) was ringing."""
    where = abandoned_where(outcomes)
    return sum(n for place, n in where.items() if place != "menu" and line in (None, place))


def ratio(part: int, whole: int) -> float | None:
    """Return part / whole to four places, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def line_figures(volumes: Volumes, route: str | None) -> dict[str, Any]:
    """Return the measures for calls routed to one line (or all lines)."""
    totals = outcome_totals(volumes.outcomes, volumes.lines, route)
    settled = sum(totals.values()) - totals["in_progress"]
    abandoned = sum(totals[key] for key in ABANDONED)
    answered_on = None if route is None else route
    timing = waits(volumes.waits, volumes.service_level_seconds, answered_on)
    offered = timing.count + ringing_abandoned(volumes.outcomes, answered_on)
    return {
        "calls": sum(totals.values()),
        **{f"outcome_{key}": calls for key, calls in totals.items()},
        "abandonment_rate": ratio(abandoned, settled),
        "abandoned_where": abandoned_where(volumes.outcomes, route),
        "time_to_answer_count": timing.count,
        "time_to_answer_seconds_mean": timing.mean,
        "time_to_answer_seconds_p90": timing.p90,
        "answered_within_threshold": timing.within,
        "service_level": ratio(timing.within, offered),
    }


def measure_figures(volumes: Volumes) -> dict[str, Any]:
    """Return the contact-centre measures over every line, flat, for the API and CSV."""
    every = line_figures(volumes, None)
    where = every.pop("abandoned_where")
    return {
        **{key: value for key, value in every.items() if key != "calls"},
        "outcomes_total": every["calls"],
        "abandoned_in_menu": where.pop("menu", 0),
        "abandoned_while_ringing": sum(where.values()),
        "in_hours_answer_rate": in_hours_answer_rate(volumes),
        "service_level_seconds": volumes.service_level_seconds,
        "repeat_callers": volumes.repeat_callers,
        "repeat_calls": volumes.repeat_calls,
    }


def in_hours_answer_rate(volumes: Volumes) -> float | None:
    """Return the in-hours calls answered by the line they were routed to, out of those ended."""
    answered = settled = 0
    for line in volumes.lines[:-1]:  # every line but the always-open one has opening hours
        totals = outcome_totals(volumes.outcomes, volumes.lines, line)
        answered += totals[answered_on(line)]
        settled += sum(totals.values()) - totals["in_progress"]
    return ratio(answered, settled)


def by_line(volumes: Volumes) -> dict[str, dict[str, Any]]:
    """Return the measures for each line calls were routed to."""
    lines = routed_lines(volumes.outcomes, volumes.lines)
    return {line: line_figures(volumes, line) for line in lines}
