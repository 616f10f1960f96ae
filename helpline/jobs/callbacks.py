"""Overdue callbacks: flag for supervisors any callback not made within one working day."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from helpline import current
from helpline.cli_options import uk_time
from helpline.db import get_database
from helpline.jobs import JobContext
from helpline.models import CallbackRequest
from helpline.routing import working_deadline

log = logging.getLogger(__name__)


def run(context: JobContext) -> Mapping[str, Any]:
    """Mark pending callbacks past their deadline as overdue."""
    calendar = current.settings(context.app).calendar
    query = (
        select(CallbackRequest)
        .where(CallbackRequest.status == "pending", CallbackRequest.overdue_at.is_(None))
        .order_by(CallbackRequest.requested_at)
    )
    flagged = 0
    with get_database(context.app).transaction() as session:
        for callback in session.scalars(query.with_for_update()):
            # A due time set by the handler wins; otherwise one working day from the request.
            due = callback.due_at or working_deadline(callback.requested_at, calendar)
            if due <= context.now:
                flagged += 1
                since = uk_time(due, calendar)
                context.say(
                    f"callback {callback.id} (case {callback.case_id}) overdue since {since}"
                )
                if not context.dry_run:
                    callback.overdue_at = context.now
    if flagged:
        log.warning("%d callbacks are overdue and flagged for supervisors", flagged)
    return {"flagged": flagged}
