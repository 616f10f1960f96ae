"""Overdue callbacks: not made within one working day means flagged for supervisors."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import CallbackRequest, Case
from tests.seeding import uk
from tests.twilio_client import TwilioClient


def add_callback(app: Flask, requested: datetime, status: str = "pending",
                 due: datetime | None = None) -> int:  # fmt: skip
    """Add a callback request on a new case; return its id."""
    with get_database(app).transaction() as session:
        case = Case(reference=f"HAR-2026-{requested:%d%H%M}", caller_number=None, withheld=True)
        session.add(case)
        session.flush()
        callback = CallbackRequest(
            case_id=case.id, requested_at=requested, status=status, due_at=due
        )
        session.add(callback)
        session.flush()
        return callback.id


def overdue_ids(app: Flask) -> set[int]:
    """Return the ids of callbacks flagged overdue."""
    with get_database(app).transaction() as session:
        query = select(CallbackRequest.id).where(CallbackRequest.overdue_at.is_not(None))
        return set(session.scalars(query))


@pytest.mark.parametrize(("now", "flagged"), [
    (uk(2026, 11, 23, 15, 59), False),  # Friday 16:00 + one working day = Monday 16:00
    (uk(2026, 11, 23, 16, 0), True),
])  # fmt: skip
def test_callback_overdue_after_one_working_day(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner, now: datetime, flagged: bool
) -> None:
    """The weekend does not count towards the working day a callback is owed within."""
    callback = add_callback(app, uk(2026, 11, 20, 16, 0))
    twilio.at(now)
    result = runner.invoke(args=["jobs", "run", "overdue-callbacks"])
    assert result.exit_code == 0, result.output
    assert overdue_ids(app) == ({callback} if flagged else set())


def test_due_time_wins_and_done_callbacks_are_not_flagged(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """A handler's due time is used when set; a callback already made is never overdue."""
    promised = add_callback(app, uk(2026, 11, 24, 9, 0), due=uk(2026, 11, 24, 10, 0))
    add_callback(app, uk(2026, 11, 20, 9, 0), status="done")
    add_callback(app, uk(2026, 11, 24, 9, 30))
    twilio.at(uk(2026, 11, 24, 11, 0))
    runner.invoke(args=["jobs", "run", "overdue-callbacks"])
    assert overdue_ids(app) == {promised}


def test_overdue_dry_run_flags_nothing(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """--dry-run lists the overdue callback and leaves it unflagged."""
    callback = add_callback(app, uk(2026, 11, 2, 9, 0))
    twilio.at(uk(2026, 11, 24, 11, 0))
    result = runner.invoke(args=["jobs", "run", "overdue-callbacks", "--dry-run"])
    assert f"callback {callback} " in result.output
    assert overdue_ids(app) == set()
