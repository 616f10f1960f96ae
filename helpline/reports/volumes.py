"""Call volumes for a period as plain figures; see definitions.py for what each one counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.orm import Session

from helpline.reports.figures import Volumes, spread_of
from helpline.reports.measures import measure_figures
from helpline.reports.periods import Period
from helpline.reports.rollups import distinct_counts, repeat_counts, tallies


def volumes(
    session: Session, period: Period, lines: Sequence[str], service_level_seconds: int = 20
) -> Volumes:
    """Return every figure for the period, from the rollups where days have them.

    lines are the config's line keys in routing order: outcomes and measures follow them.
    """
    tallied = tallies(session, period)
    hours = sorted(tallied.hours, key=lambda hour: hour.starts_at)
    callers, new_cases, returning_cases = distinct_counts(session, period)
    repeat_callers, repeat_calls = repeat_counts(session, period)
    counted = Volumes(
        period=period,
        total_calls=sum(hour.total for hour in hours),
        in_hours=sum(hour.in_hours for hour in hours),
        answered=sum(hour.answered for hour in hours),
        missed=sum(hour.missed for hour in hours),
        abandoned=sum(hour.abandoned for hour in hours),
        voicemail=sum(hour.voicemail for hour in hours),
        unique_callers=callers,
        new_cases=new_cases,
        returning_cases=returning_cases,
        out_of_hours_reasons=dict(
            sorted(tallied.reasons.items(), key=lambda item: (-item[1], item[0]))
        ),
        ring=spread_of(tallied.ring.items()),
        talk=spread_of(tallied.talk.items()),
        hours=tuple(hours),
        outcomes=dict(tallied.outcomes),
        waits=dict(tallied.waits),
        repeat_callers=repeat_callers,
        repeat_calls=repeat_calls,
        service_level_seconds=service_level_seconds,
        lines=tuple(lines),
    )
    return dataclasses.replace(counted, measures=measure_figures(counted))
